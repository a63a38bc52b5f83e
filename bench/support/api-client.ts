/** The few JSON calls the bench makes to the API (undici; the bodies are small). */
import { request } from 'undici';
import { BENCH_CHANNEL } from './stack.js';

export const BATCH_PATH = '/api/v1/videos/batch';

export interface InitFile {
  filename: string;
  size: number;
  type: string;
}

export interface SessionAnswer {
  uploadId: string;
  isChunked: boolean;
  chunkSize: number;
  totalChunks: number;
  presignedUrls: string[];
}

export async function initBatch(apiUrl: string, auth: Record<string, string>, files: InitFile[]): Promise<SessionAnswer[]> {
  const res = await request(`${apiUrl}${BATCH_PATH}/init`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ channel_id: BENCH_CHANNEL, files }),
  });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`init answered ${res.statusCode}: ${text.slice(0, 500)}`);
  const data = (JSON.parse(text) as { data: SessionAnswer[] }).data;
  if (data.length !== files.length) throw new Error(`init answered ${data.length} sessions for ${files.length} files`);
  return data;
}

export function videoFiles(count: number, size: number): InitFile[] {
  return Array.from({ length: count }, (_, i) => ({ filename: `bench-${i + 1}.mp4`, size, type: 'video/mp4' }));
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) };
}
