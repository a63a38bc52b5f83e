/** A small HTTP client for the API, on undici (Node's global fetch is too slow for big bodies). */
import { FormData, request } from 'undici';
import type { Readable } from 'node:stream';

export interface ApiAnswer<T = unknown> {
  status: number;
  body: { success: boolean; data?: T; error?: { code: string; message: string; details: any } };
  headers: Record<string, string | string[] | undefined>;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  private auth(): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}` } : {};
  }

  async call<T = any>(
    method: 'GET' | 'POST' | 'PUT',
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
    let parsed: ApiAnswer<T>['body'];
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(
        `${method} ${path} answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 300)}`,
      );
    }
    return { status: res.statusCode, body: parsed, headers: res.headers };
  }

  init(json: unknown) {
    return this.call<any[]>('POST', '/api/v1/videos/batch/init', { json });
  }
  progress(uploadId: string) {
    return this.call('GET', `/api/v1/videos/batch/progress/${uploadId}`);
  }
  retry(uploadId: string) {
    return this.call<Array<{ chunkIndex: number; url: string }>>('POST', `/api/v1/videos/batch/retry/${uploadId}`);
  }
  complete(uploadId: string) {
    return this.call('POST', `/api/v1/videos/batch/complete/${uploadId}`);
  }
  chunkRaw(uploadId: string, index: number, body: Buffer) {
    return this.call('POST', `/api/v1/videos/batch/chunk/${uploadId}/${index}`, {
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
    return { status: res.statusCode, body: (await res.body.json()) as ApiAnswer['body'] };
  }
}
