/** Hex SHA-256 of a stream, and how many bytes it had (a short read must not pass for the file). */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export async function sha256Of(body: Readable, signal?: AbortSignal): Promise<{ sha256: string; bytes: number }> {
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
