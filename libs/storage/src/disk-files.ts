/**
 * File primitives of the disk driver. Everything streams; nothing reads a whole file into memory.
 *
 * A file is written to tmp/ first and renamed into place only once complete, so a reader never sees a
 * partial file and a replaced part is swapped atomically. Its ETag lives in a small JSON sidecar that
 * records the data file's inode: a rename keeps the inode, so a sidecar that names another inode is
 * stale (a crash or a race between the two renames) and the ETag is then recomputed from the bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExactLengthStream, lengthMismatch } from './exact-length.js';
import { StorageError } from './storage.error.js';

export interface FileMeta {
  /** Quoted, like S3: `"<md5 hex>"`, or `"<hex>-<part count>"` for an object joined from parts. */
  etag: string;
  size: number;
  ino: number;
  contentType?: string;
}

export interface TempFile {
  path: string;
  size: number;
  ino: number;
}

/** Streams exactly `length` bytes of `body` into the new file `tmp`, hashing them with MD5. */
export async function writeTemp(body: Readable, length: number, tmp: string): Promise<TempFile & { md5Hex: string }> {
  const guard = new ExactLengthStream(length, { md5: true });
  const file = createWriteStream(tmp, { flags: 'wx' });
  // pipeline() destroys every stream with the first error, so the first 'error' tells whose fault it is.
  let failed: 'body' | 'file' | undefined;
  body.once('error', () => (failed ??= 'body'));
  file.once('error', () => (failed ??= 'file'));
  try {
    await pipeline(body, guard, file);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof StorageError) throw error;
    // The file system failed (disk full, permissions): our problem, not the body's.
    if (failed === 'file' && !isErrno(error, 'ERR_STREAM_PREMATURE_CLOSE')) throw error;
    // The body failed or ended early (a client that went away, a source that broke): it did not deliver.
    throw lengthMismatch(length, `${guard.bytesReceived} before the body failed`, error);
  }
  return { ...(await tempFile(tmp)), md5Hex: guard.md5Hex() };
}

/**
 * Joins `sources` in order into the new file `tmp`. Each source is read as a stream and written through one
 * file handle: piping every source into one write stream would leave each pipe's listeners on it (Node's
 * `pipeline` with `end: false`), past the listener limit for an object of more than 10 parts.
 */
export async function joinTemp(sources: string[], tmp: string): Promise<TempFile> {
  const file = await open(tmp, 'wx');
  try {
    for (const source of sources)
      for await (const chunk of createReadStream(source, { highWaterMark: JOIN_READ_BYTES }))
        await file.write(chunk as Buffer);
    await file.close();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
  return tempFile(tmp);
}

/** Bytes read from a part at a time while joining (fewer, larger writes than the 64 KiB default). */
const JOIN_READ_BYTES = 1024 * 1024;

/**
 * Moves a finished temp file to `dest`, its sidecar first: until the data is renamed the sidecar names
 * an inode that is not there yet, which readers treat as stale. Parent folders are created only when
 * asked, so that a part never re-creates the folder of an upload aborted meanwhile (ENOENT instead).
 */
export async function place(
  temp: TempFile,
  dest: string,
  metaPath: string,
  meta: Omit<FileMeta, 'size' | 'ino'>,
  createParents: boolean,
): Promise<void> {
  try {
    if (createParents)
      await Promise.all([mkdir(dirname(dest), { recursive: true }), mkdir(dirname(metaPath), { recursive: true })]);
    const metaTmp = `${temp.path}.meta`;
    await writeFile(metaTmp, JSON.stringify({ ...meta, size: temp.size, ino: temp.ino } satisfies FileMeta), {
      flag: 'wx',
    });
    await rename(metaTmp, metaPath).catch(async (error: unknown) => {
      await rm(metaTmp, { force: true });
      throw error;
    });
    await rename(temp.path, dest);
  } catch (error) {
    await rm(temp.path, { force: true });
    throw error;
  }
}

/** Size, ETag and content type of a data file, or null when it does not exist. */
export async function describe(dataPath: string, metaPath: string): Promise<Omit<FileMeta, 'ino'> | null> {
  const info = await stat(dataPath).catch(ifMissing(null));
  // A folder is where keys below it live (key "a" vs "a/b"): never an object itself.
  if (!info?.isFile()) return null;
  const meta = await readJson(metaPath);
  if (meta && meta.ino === info.ino && meta.size === info.size) {
    return { etag: meta.etag, size: meta.size, contentType: meta.contentType };
  }
  // Removed meanwhile (a replaced part, a completed upload): missing, like a file never there.
  const md5 = await md5OfFile(dataPath).catch(ifMissing(null));
  return md5 === null ? null : { etag: `"${md5}"`, size: info.size };
}

export async function readJson(path: string): Promise<FileMeta | null> {
  const text = await readFile(path, 'utf8').catch(ifMissing(null));
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isFileMeta(value) ? value : null;
  } catch {
    return null; // a torn or foreign file: treated like a missing sidecar
  }
}

/** Removes the files of `dir` not modified for `olderThanMs` milliseconds; answers how many. */
export async function sweepTemp(dir: string, olderThanMs: number): Promise<number> {
  const before = Date.now() - olderThanMs;
  let removed = 0;
  for (const name of await readdir(dir).catch(ifMissing([] as string[]))) {
    const path = join(dir, name);
    const info = await stat(path).catch(ifMissing(null));
    if (info?.isFile() && info.mtimeMs < before) {
      await rm(path, { force: true });
      removed++;
    }
  }
  return removed;
}

/** Duck-typed, not `instanceof Error`: errors from Node's core can come from another realm (e.g. under Jest). */
export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === code;
}

/**
 * A `catch` handler that turns "no such file" into `fallback` and rethrows anything else. A folder
 * where a file was expected counts as missing: it holds the keys below it (key "a" vs "a/b").
 */
export function ifMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (['ENOENT', 'ENOTDIR', 'EISDIR'].some((code) => isErrno(error, code))) return fallback;
    throw error;
  };
}

async function tempFile(path: string): Promise<TempFile> {
  const info = await stat(path);
  return { path, size: info.size, ino: info.ino };
}

async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function isFileMeta(value: unknown): value is FileMeta {
  if (typeof value !== 'object' || value === null) return false;
  const v: Record<string, unknown> = { ...value };
  return typeof v.etag === 'string' && typeof v.size === 'number' && typeof v.ino === 'number';
}
