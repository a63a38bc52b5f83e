/**
 * The local spool files of tus uploads. S3 takes parts of at least 5 MiB (but the last), and a tus client
 * sends PATCHes of any length, so the bytes of the chunk being filled wait in a file under os.tmpdir(), one
 * per upload, never in memory, until the file holds the whole chunk and goes to storage as its part.
 *
 * A spool is only a cache of what is durable: the upload's tus offset (PostgreSQL) and the partial object
 * in storage (tusPartialKey). It is used again by the next PATCH on this instance when it still matches
 * the offset, and rebuilt from the partial object otherwise (another instance wrote since, or this one
 * restarted). Spools idle for SPOOL_IDLE_MS are dropped; the folder goes when the app shuts down.
 */
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A spool nobody wrote for this long is dropped: its bytes are in the partial object anyway. */
const SPOOL_IDLE_MS = 15 * 60 * 1000;

/** Where the partial chunk of a tus upload waits between PATCHes: outside `videos/`, so no video key. */
export const tusPartialKey = (uploadId: string): string => `tus-partial/${uploadId}`;

/** One upload's spool file, open for appending: bytes [chunkStart, chunkStart + size) of the file. */
export class Spool {
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    public size: number,
  ) {}

  /** Opens the file at `path`: as it is (`reuse`), filled with `fill`, or empty. */
  static async open(path: string, how: { reuse: true } | { fill?: Readable }): Promise<Spool> {
    const fill = 'fill' in how ? how.fill : undefined;
    if (fill) await pipeline(fill, createWriteStream(path));
    const handle = await open(path, fill || 'reuse' in how ? 'r+' : 'w+');
    return new Spool(path, handle, (await handle.stat()).size);
  }

  async append(bytes: Buffer): Promise<void> {
    await this.handle.write(bytes, 0, bytes.length, this.size);
    this.size += bytes.length;
  }

  /** Keeps only the first `size` bytes (0: a new chunk starts). */
  async truncate(size: number): Promise<void> {
    await this.handle.truncate(size);
    this.size = size;
  }

  /**
   * The spool's bytes, from a stream whose file is already open: a terminate that removes the file right
   * after (TusSpools.forget) leaves them readable. A stream still opening the path would fail with ENOENT
   * before the storage driver listens to it, an 'error' nobody handles. Rejects when the file is gone.
   */
  async read(): Promise<Readable> {
    const stream = createReadStream(this.path, { start: 0, end: Math.max(0, this.size - 1) });
    await once(stream, 'ready');
    return stream;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

@Injectable()
export class TusSpools implements OnApplicationShutdown {
  private folder?: Promise<string>;
  /** uploadId -> the file offset its spool ends at, and when it was last written. */
  private readonly kept = new Map<string, { offset: number; usedAt: number }>();
  private readonly sweeper = setInterval(() => void this.sweep(), 60_000).unref();

  /** The spool of `uploadId` if it ends exactly at `offset` (the upload's durable offset), else null. */
  async reuse(uploadId: string, offset: number): Promise<Spool | null> {
    const entry = this.kept.get(uploadId);
    if (!entry || entry.offset !== offset) return null;
    this.kept.delete(uploadId);
    return Spool.open(await this.path(uploadId), { reuse: true }).catch(() => null);
  }

  /** A spool filled with `fill` (the partial object's bytes), or empty. Replaces any other of the upload. */
  async create(uploadId: string, fill?: Readable): Promise<Spool> {
    this.kept.delete(uploadId);
    return Spool.open(await this.path(uploadId), { fill });
  }

  /** The spool matches the durable offset `offset`: the next PATCH here may go on from it. */
  keep(uploadId: string, offset: number): void {
    this.kept.set(uploadId, { offset, usedAt: Date.now() });
  }

  /** Drops the upload's spool (completed, terminated, or left in a state that is not durable). */
  async forget(uploadId: string): Promise<void> {
    this.kept.delete(uploadId);
    if (this.folder) await rm(await this.path(uploadId), { force: true });
  }

  /** A temporary file beside the spools (the body of a PATCH whose checksum is being checked). */
  async tempPath(name: string): Promise<string> {
    return join(await this.dir(), name);
  }

  /**
   * After the HTTP server has closed, so after the PATCHes in flight when the API was told to stop have
   * ended (Nest runs this hook once the adapter is closed; onModuleDestroy runs before, under their feet).
   */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    if (this.folder) await rm(await this.folder, { recursive: true, force: true });
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [uploadId, { usedAt }] of this.kept)
      if (now - usedAt > SPOOL_IDLE_MS) await this.forget(uploadId).catch(() => undefined);
  }

  private async path(uploadId: string): Promise<string> {
    return join(await this.dir(), uploadId);
  }

  private dir(): Promise<string> {
    this.folder ??= mkdtemp(join(tmpdir(), 'reelay-tus-'));
    return this.folder;
  }
}
