/** SHA-256 in Node: node:crypto over a read stream of the file (fileFromPath's), or of any Blob's stream. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadSource } from './resume-store.js';
import type { Sha256Hasher } from './sha256.js';

/** Where the sources made by fileFromPath lie on disk. */
const paths = new WeakMap<UploadSource, string>();

/** Marks `source` as the file at `path`, so that it is hashed from a plain read stream. */
export function sourceAtPath<T extends UploadSource>(source: T, path: string): T {
  paths.set(source, path);
  return source;
}

export const nodeSha256: Sha256Hasher = async (source, signal) => {
  const path = paths.get(source);
  const bytes = path
    ? createReadStream(path, { highWaterMark: 1024 * 1024 })
    : Readable.fromWeb(source.slice(0, source.size).stream());
  const hash = createHash('sha256');
  await pipeline(
    bytes,
    async (pieces: AsyncIterable<Buffer>) => {
      for await (const piece of pieces) hash.update(piece);
    },
    { signal },
  );
  return hash.digest('hex');
};
