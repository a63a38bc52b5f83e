/** Test files and the client side of an upload: random bytes, slices, hashes, PUTs to presigned URLs. */
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import type { Readable } from 'node:stream';

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function randomFile(size: number): Buffer {
  return randomBytes(size);
}

export function chunkOf(file: Buffer, chunkSize: number, index: number): Buffer {
  return file.subarray(index * chunkSize, Math.min(file.length, (index + 1) * chunkSize));
}

/** PUT the bytes to a presigned URL, as a browser would (Content-Length set, no other headers). */
export async function putTo(
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; etag?: string; text: string }> {
  const res = await request(url, { method: 'PUT', body, headers });
  const text = await res.body.text();
  return { status: res.statusCode, etag: res.headers.etag as string | undefined, text };
}

export async function sha256OfStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Polls until `check` passes or the time is up; answers the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}
