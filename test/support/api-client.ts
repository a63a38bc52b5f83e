/** A small HTTP client for the API, on undici (Node's global fetch is too slow for big bodies). */
import { FormData, request } from 'undici';
import type { Readable } from 'node:stream';
import type { ErrorBodyDto } from '../../apps/api/src/common/api-envelope.decorator.js';
import type { AbortedUploadDto } from '../../apps/api/src/videos-batch/dto/aborted-upload.dto.js';
import type { BatchCompletionDto } from '../../apps/api/src/videos-batch/dto/batch-completion.dto.js';
import type { BatchDto } from '../../apps/api/src/videos-batch/dto/batch.dto.js';
import type { ChunkResultDto } from '../../apps/api/src/videos-batch/dto/chunk-result.dto.js';
import type { ProgressDto } from '../../apps/api/src/videos-batch/dto/progress.dto.js';
import type { RetryUrlDto } from '../../apps/api/src/videos-batch/dto/retry-url.dto.js';
import type { UploadSessionDto } from '../../apps/api/src/videos-batch/dto/upload-session.dto.js';
import type { VideoDto } from '../../apps/api/src/videos/dto/video.dto.js';

/** The envelope of every answer: `data` on success, `error` (code, message, details or null) otherwise. */
export interface ApiBody<T = unknown> {
  success: boolean;
  data?: T;
  error?: ErrorBodyDto;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: ApiBody<T>;
  headers: Record<string, string | string[] | undefined>;
}

/** The failing fields a VALIDATION_FAILED error lists in `details.fields`; throws when it lists none. */
export function failingFields(error: ErrorBodyDto | undefined): Array<{ field: string }> {
  const fields = error?.details?.fields;
  if (!Array.isArray(fields) || !fields.every(hasField))
    throw new Error(`no list of failing fields in the error ${JSON.stringify(error)}`);
  return fields;
}

function hasField(value: unknown): value is { field: string } {
  return typeof value === 'object' && value !== null && 'field' in value && typeof value.field === 'string';
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async call<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: { json?: unknown; body?: Buffer | Readable | string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...this.auth(), ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    const res = await request(this.baseUrl + path, { method, headers, body });
    const text = await res.body.text();
    let parsed: ApiBody<T>;
    try {
      parsed = JSON.parse(text) as ApiBody<T>;
    } catch {
      throw new Error(
        `${method} ${path} answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 300)}`,
      );
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  init(json: unknown) {
    return this.call<UploadSessionDto[]>('POST', '/api/v1/videos/batch/init', { json });
  }
  /** `fresh`: what storage holds now (Cache-Control: no-cache), as a resuming page asks. */
  progress(uploadId: string, { fresh = false } = {}) {
    const headers = fresh ? { 'cache-control': 'no-cache' } : undefined;
    return this.call<ProgressDto>('GET', `/api/v1/videos/batch/progress/${uploadId}`, { headers });
  }
  retry(uploadId: string) {
    return this.call<RetryUrlDto[]>('POST', `/api/v1/videos/batch/retry/${uploadId}`);
  }
  abort(uploadId: string) {
    return this.call<AbortedUploadDto>('POST', `/api/v1/videos/batch/abort/${uploadId}`);
  }
  batch(batchId: string) {
    return this.call<BatchDto>('GET', `/api/v1/videos/batch/${batchId}`);
  }
  completeBatch(batchId: string) {
    return this.call<BatchCompletionDto>('POST', `/api/v1/videos/batch/${batchId}/complete`);
  }
  complete(uploadId: string) {
    return this.call<VideoDto>('POST', `/api/v1/videos/batch/complete/${uploadId}`);
  }
  chunkRaw(uploadId: string, index: number, body: Buffer) {
    return this.call<ChunkResultDto>('POST', `/api/v1/videos/batch/chunk/${uploadId}/${index}`, {
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
  }
  async chunkForm(uploadId: string, index: number, body: Buffer, filename = 'chunk.bin') {
    const form = new FormData();
    form.append('chunk', new Blob([body]), filename);
    const res = await request(`${this.baseUrl}/api/v1/videos/batch/chunk/${uploadId}/${index}`, {
      method: 'POST',
      body: form,
      headers: this.auth(),
    });
    return { status: res.statusCode, body: (await res.body.json()) as ApiBody<ChunkResultDto> };
  }
}
