/**
 * A body of unknown length written to a temporary file, so that storage can be given its exact length
 * (an S3 part needs one). Streamed, never held in memory; the file is removed by `remove()`, which the
 * caller runs whatever happens.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Spooled {
  /** Bytes written. */
  length: number;
  /** A new stream of the bytes, from the start. */
  read(): Readable;
  remove(): Promise<void>;
}

const SPOOL_DIR = join(tmpdir(), 'reelay-spool');

/** Writes `body` to a temporary file; on failure the file is removed and the error thrown. */
export async function spool(body: Readable): Promise<Spooled> {
  await mkdir(SPOOL_DIR, { recursive: true });
  const path = join(SPOOL_DIR, randomUUID());
  let length = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      length += chunk.length;
      done(null, chunk);
    },
  });
  const remove = () => rm(path, { force: true });
  try {
    await pipeline(body, count, createWriteStream(path));
  } catch (error) {
    await remove();
    throw error;
  }
  return { length, read: () => createReadStream(path), remove };
}
