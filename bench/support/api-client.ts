/** The few JSON calls the bench makes to the API (undici; the bodies are small). */
import { gunzipSync } from 'node:zlib';
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

export async function initBatch(
  apiUrl: string,
  auth: Record<string, string>,
  files: InitFile[],
): Promise<SessionAnswer[]> {
  return (await timedInitBatch(apiUrl, auth, files)).sessions;
}

/**
 * init, and its latency: from sending the request to the answer's last byte. Decoding and parsing the
 * answer (about 5 ms for the 2.35 MiB of 5,000 part URLs) is the client's work and comes after.
 */
export async function timedInitBatch(
  apiUrl: string,
  auth: Record<string, string>,
  files: InitFile[],
  headers: Record<string, string> = {},
): Promise<{ sessions: SessionAnswer[]; ms: number; wireBytes: number }> {
  const start = performance.now();
  const res = await request(`${apiUrl}${BATCH_PATH}/init`, {
    method: 'POST',
    headers: { ...auth, ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({ channel_id: BENCH_CHANNEL, files }),
  });
  const bytes = await res.body.bytes();
  const ms = performance.now() - start;
  const wire = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire).toString('utf8');
  if (res.statusCode !== 201) throw new Error(`init answered ${res.statusCode}: ${text.slice(0, 500)}`);
  const sessions = (JSON.parse(text) as { data: SessionAnswer[] }).data;
  if (sessions.length !== files.length)
    throw new Error(`init answered ${sessions.length} sessions for ${files.length} files`);
  return { sessions, ms, wireBytes: wire.length };
}

export function videoFiles(count: number, size: number): InitFile[] {
  return Array.from({ length: count }, (_, i) => ({ filename: `bench-${i + 1}.mp4`, size, type: 'video/mp4' }));
}

export async function getJson(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const res = await request(url, { headers });
  const text = await res.body.text();
  return { status: res.statusCode, body: JSON.parse(text) };
}

/** POST /batch/complete/:uploadId, as a client does once every part is stored; throws on refusal. */
export async function completeUpload(apiUrl: string, auth: Record<string, string>, uploadId: string): Promise<void> {
  const res = await request(`${apiUrl}${BATCH_PATH}/complete/${uploadId}`, { method: 'POST', headers: auth });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`complete answered ${res.statusCode}: ${text.slice(0, 500)}`);
}
