/**
 * The upload client of every throughput run: node:http with streaming bodies, never global fetch
 * (Node 20's fetch tops out near 100 MB/s here and would measure itself). Bodies are byte ranges of
 * one test file on disk, read with createReadStream(start, end): nothing holds a chunk in memory.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { MiB } from './stats.js';

/** Read-ahead of the file streams: 1 MiB reads keep syscalls and stream overhead low. */
const READ_CHUNK = MiB;

/** Writes `bytes` random bytes to `path` once; a file of the right size is reused. */
export function ensureTestFile(path: string, bytes: number): void {
  try {
    if (statSync(path).size === bytes) return;
  } catch {
    // not there yet
  }
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const block = Buffer.allocUnsafe(8 * MiB);
  try {
    for (let written = 0; written < bytes;) {
      const n = Math.min(block.length, bytes - written);
      randomFillSync(block, 0, n);
      writeSync(fd, block, 0, n);
      written += n;
    }
  } finally {
    closeSync(fd);
  }
}

export interface Sent {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Slice {
  file: string;
  start: number;
  length: number;
}

/** One request whose body is `slice` of the file (or no body), answering status, headers and text. */
export function send(
  url: string,
  method: string,
  headers: OutgoingHttpHeaders,
  slice: Slice | null,
  agent: Agent,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent, headers: { ...headers, 'content-length': slice?.length ?? 0 } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (!slice) {
      req.end();
      return;
    }
    const body = createReadStream(slice.file, {
      start: slice.start,
      end: slice.start + slice.length - 1,
      highWaterMark: READ_CHUNK,
    });
    // A server may answer (an error) before it read the whole body: the answer is what counts then.
    pipeline(body, req).catch((error: Error) => req.destroy(error));
  });
}

/** Runs `tasks` with at most `limit` in flight; fails on the first failure. */
export async function inPool<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}

export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets });
}

/** Byte ranges of `size` bytes cut in `chunk`-byte pieces (the last may be shorter). */
export function slices(file: string, size: number, chunk: number): Slice[] {
  const out: Slice[] = [];
  for (let start = 0; start < size; start += chunk) out.push({ file, start, length: Math.min(chunk, size - start) });
  return out;
}

/** A counting semaphore: `take` resolves when one of `limit` slots is free, `give` frees one. */
export function slots(limit: number): { take(): Promise<void>; give(): void } {
  let free = limit;
  const waiting: Array<() => void> = [];
  return {
    take: () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve))),
    give: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}
