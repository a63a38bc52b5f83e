/**
 * The API's routes as typed calls (POST /batch/init, GET /batch/progress/:id, POST /batch/retry/:id,
 * POST /batch/complete/:id, POST /batch/abort/:id, GET /videos/:id, POST /batch/:batchId/events/token). Answers are the envelope's `data`;
 * an error envelope, or no answer, is thrown as ReelayError.
 */
import { ReelayError } from './errors.js';
import type { components } from './generated/reelay-api.js';

type Schemas = components['schemas'];
export type UploadSession = Schemas['UploadSessionDto'];
export type UploadProgress = Schemas['ProgressDto'];
export type RetryUrl = Schemas['RetryUrlDto'];
export type CompletedVideo = Schemas['VideoDto'];
export type VideoDetails = Schemas['VideoDetailsDto'];
export type ChunkResult = Schemas['ChunkResultDto'];
export type FileToInit = Schemas['FileMetadataDto'];

/** A bearer token, or a function that answers a fresh one for each request (tokens expire). */
export type TokenSource = string | (() => string | Promise<string>);

export interface ApiOptions {
  /** The API's origin, e.g. `https://upload.example.com` (no trailing path). */
  apiUrl: string;
  token: TokenSource;
  /** fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

export class ReelayApi {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiOptions) {
    this.base = `${options.apiUrl.replace(/\/+$/, '')}/api/v1/videos`;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The URL of the chunk route for chunk `chunkIndex` (0-based) of an upload. */
  chunkUrl(uploadId: string, chunkIndex: number): string {
    return `${this.base}/batch/chunk/${uploadId}/${chunkIndex}`;
  }

  async authorization(): Promise<string> {
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    return `Bearer ${token}`;
  }

  /** One upload session per file, in the order of `files`. */
  init(channelId: string, files: FileToInit[], signal?: AbortSignal): Promise<UploadSession[]> {
    return this.call('POST', '/batch/init', { channel_id: channelId, files }, signal);
  }

  /**
   * The file's progress. `fresh`: what storage holds now rather than the last look, which can be one
   * sync interval old (sent as `Cache-Control: no-cache`; what a resume needs to skip stored chunks).
   */
  progress(uploadId: string, signal?: AbortSignal, fresh = false): Promise<UploadProgress> {
    const headers = fresh ? { 'cache-control': 'no-cache' } : undefined;
    return this.call('GET', `/batch/progress/${uploadId}`, undefined, signal, headers);
  }

  /**
   * Fresh part URLs: for `chunks` (0-based; those already stored are left out), or when omitted for the
   * chunks the server counts as failed.
   */
  retry(uploadId: string, chunks?: number[], signal?: AbortSignal): Promise<RetryUrl[]> {
    return this.call('POST', `/batch/retry/${uploadId}`, chunks ? { chunks } : undefined, signal);
  }

  /** `sha256`: the whole file's hex SHA-256, for the worker to check the stored object against. */
  complete(uploadId: string, signal?: AbortSignal, sha256?: string): Promise<CompletedVideo> {
    return this.call('POST', `/batch/complete/${uploadId}`, sha256 ? { sha256 } : undefined, signal);
  }

  abort(uploadId: string, signal?: AbortSignal): Promise<{ uploadId: string; status: 'aborted' }> {
    return this.call('POST', `/batch/abort/${uploadId}`, undefined, signal);
  }

  /** A short-lived token for the batch's event streams (EventSource sends no headers). */
  eventsToken(batchId: string, signal?: AbortSignal): Promise<{ token: string; expiresAt: string }> {
    return this.call('POST', `/batch/${batchId}/events/token`, undefined, signal);
  }

  /** The URL of the batch's event stream, opened with `token`, after `lastEventId` when given. */
  eventsUrl(batchId: string, token: string, lastEventId?: string): string {
    const query = new URLSearchParams({ token });
    if (lastEventId) query.set('lastEventId', lastEventId);
    return `${this.base}/batch/${batchId}/events?${query.toString()}`;
  }

  video(videoId: string, signal?: AbortSignal): Promise<VideoDetails> {
    return this.call('GET', `/${videoId}`, undefined, signal);
  }

  private async call<T>(
    method: string,
    path: string,
    json: unknown,
    signal?: AbortSignal,
    extra?: Record<string, string>,
  ): Promise<T> {
    const headers: Record<string, string> = { ...extra, authorization: await this.authorization() };
    if (json !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetch(`${this.base}${path}`, {
        method,
        headers,
        body: json === undefined ? undefined : JSON.stringify(json),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ReelayError('NETWORK_ERROR', `${method} ${path}: no answer (${(error as Error).message})`, 0, null, {
        cause: error,
      });
    }
    return readEnvelope<T>(res.status, await res.text(), `${method} ${path}`);
  }
}

/** The `data` of a success envelope; a ReelayError with the envelope's code otherwise. */
export function readEnvelope<T>(status: number, text: string, what: string): T {
  let body: { success?: boolean; data?: T; error?: { code: string; message: string; details: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new ReelayError(status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST', `${what}: ${status}, not JSON`, status);
  }
  if (status >= 200 && status < 300 && body.success) return body.data as T;
  const error = body.error ?? { code: 'INTERNAL_ERROR', message: `${status} without an error envelope`, details: null };
  throw new ReelayError(
    error.code as ReelayError['code'],
    `${what}: ${error.message}`,
    status,
    (error.details as Record<string, unknown> | null) ?? null,
  );
}
