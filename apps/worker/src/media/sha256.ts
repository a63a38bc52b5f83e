/**
 * Hex SHA-256 of a stream, and how many bytes it had (a short read must not pass for the file).
 *
 * The bytes are hashed on the thread that reads them, as they come. A worker thread would let reading and
 * hashing overlap only where a core is idle, and costs a copy and a message per batch on top of the hash;
 * where storage shares the cores (the bench's machine), the pass is bounded by the CPU of both, and the
 * thread measured no faster (bench/suites/worker.bench.ts logs the CPU of each pass).
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Sha256Result {
  /** Lower-case hex digest, 64 characters. */
  sha256: string;
  /** Bytes the stream gave to its end. */
  bytes: number;
}

/**
 * Reads `body` to its end, holding one chunk at a time. Rejects with the stream's error, or with an
 * AbortError when `signal` aborts; either way the stream is destroyed.
 */
export async function sha256Of(body: Readable, signal?: AbortSignal): Promise<Sha256Result> {
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    body,
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.length;
      }
    },
    { signal },
  );
  return { sha256: hash.digest('hex'), bytes };
}
