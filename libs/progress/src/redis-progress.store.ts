/**
 * ProgressStore over Redis. Per upload (all in one cluster slot through the `{uploadId}` tag):
 *   `<prefix>up:{id}`          hash of metadata and counters (the upload exists while it does)
 *   `<prefix>up:{id}:done`     bitmap, one bit per finished chunk
 *   `<prefix>up:{id}:failed`   set of failed chunk indices
 *   `<prefix>up:{id}:leases`   zset chunk -> URL deadline for chunks re-signed by a retry
 *   `<prefix>up:{id}:sync`     short reconciliation lock
 *   `<prefix>up:{id}:write`    a tus upload's write lock (the holder's token), renewed while it writes
 * Mutations and reads are Lua scripts (see redis-progress.scripts.ts); all keys share the expiry.
 *
 * Status is derived by the scripts: `failed` while any chunk is failed, else `retrying` while leases
 * remain, else `uploading` once any chunk was uploading or done, else `initialized`. This store never
 * sets `completed`: completion is decided by whoever completes the multipart upload (then `remove`).
 */
import type { Redis } from 'ioredis';
import { bitmapRanges } from './chunk-ranges.js';
import { progressPercent } from './progress-percent.js';
import {
  ProgressStore,
  type ProgressInit,
  type ProgressSnapshot,
  UPLOAD_STATUSES,
  type UploadStatus,
} from './progress.store.js';
import { PROGRESS_KEY_COUNT, PROGRESS_SCRIPTS, type ProgressScript } from './redis-progress.scripts.js';

export interface RedisProgressStoreOptions {
  /** Prepended to every key, e.g. `reelay:`; lets tests and environments share one Redis. */
  keyPrefix: string;
}

/** The write lock's compare-and-extend and compare-and-delete: only its holder's token moves it. */
const EXTEND_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
const DELETE_IF_HELD = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Scripts are defined on a client that may be shared, so their names must not collide. */
const COMMAND_PREFIX = 'reelayProgress_';

export class RedisProgressStore extends ProgressStore {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisProgressStoreOptions,
  ) {
    super();
    for (const [name, { lua, readOnly }] of Object.entries(PROGRESS_SCRIPTS)) {
      redis.defineCommand(COMMAND_PREFIX + name, { lua, readOnly, numberOfKeys: PROGRESS_KEY_COUNT });
    }
  }

  async init(p: ProgressInit): Promise<void> {
    await this.run('init', p.uploadId, [p.filename, p.totalChunks, p.size, p.expiresAt, p.urlsExpireAt, p.ownerId]);
  }

  async get(uploadId: string): Promise<ProgressSnapshot | null> {
    // The Buffer variant: the bitmap is binary, which a reply decoded as UTF-8 text would corrupt.
    const reply = await this.run('getBuffer', uploadId);
    if (!Array.isArray(reply)) return null;
    const hash = pairs(reply[0]);
    const num = (field: string): number => Number(hash.get(field) ?? 0);
    const counters = {
      completedBytes: num('completedBytes'),
      size: num('size'),
      completedCount: num('completedCount'),
      totalChunks: num('total'),
    };
    const failed: unknown[] = Array.isArray(reply[1]) ? reply[1] : [];
    const bitmap: unknown = reply[2];
    return {
      uploadId,
      filename: hash.get('filename') ?? '',
      ownerId: hash.get('ownerId') ?? '',
      ...counters,
      progress: progressPercent(counters),
      status: toStatus(hash.get('status')),
      failedChunks: failed.map((i) => Number(String(i))).sort((a, b) => a - b),
      storedChunks: Buffer.isBuffer(bitmap) ? bitmapRanges(bitmap, counters.totalChunks) : '',
      urlsExpireAt: num('urlsExpireAt'),
      syncedAt: num('syncedAt'),
    };
  }

  async markUploading(uploadId: string, chunkIndex: number): Promise<void> {
    await this.run('uploading', uploadId, [chunkIndex]);
  }

  async markDone(uploadId: string, chunkIndex: number, bytes: number): Promise<void> {
    await this.markManyDone(uploadId, [[chunkIndex, bytes]]);
  }

  async markManyDone(uploadId: string, chunks: Array<[number, number]>): Promise<void> {
    if (chunks.length === 0) return;
    await this.run(
      'done',
      uploadId,
      chunks.flatMap(([index, bytes]) => [index, byteCount(bytes)]),
    );
  }

  async markFailed(uploadId: string, chunkIndices: number[]): Promise<void> {
    if (chunkIndices.length === 0) return;
    await this.run('failed', uploadId, chunkIndices);
  }

  async markRetrying(uploadId: string, chunkIndices: number[], urlsExpireAt: number): Promise<void> {
    if (chunkIndices.length === 0) return;
    await this.run('retrying', uploadId, [urlsExpireAt, ...chunkIndices]);
  }

  async leases(uploadId: string): Promise<Map<number, number>> {
    const reply = await this.run('leases', uploadId);
    const result = new Map<number, number>();
    for (const [chunk, deadline] of pairs(reply)) result.set(Number(chunk), Number(deadline));
    return result;
  }

  async setSyncedAt(uploadId: string, at: number): Promise<void> {
    await this.run('syncedAt', uploadId, [at]);
  }

  async tryLockSync(uploadId: string, ttlMs: number): Promise<boolean> {
    const reply = await this.redis.set(`${this.base(uploadId)}:sync`, '1', 'PX', ttlMs, 'NX');
    return reply === 'OK';
  }

  async tryLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.base(uploadId)}:write`, token, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async extendLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(EXTEND_IF_HELD, 1, `${this.base(uploadId)}:write`, token, ttlMs)) === 1;
  }

  async unlockWrite(uploadId: string, token: string): Promise<void> {
    await this.redis.eval(DELETE_IF_HELD, 1, `${this.base(uploadId)}:write`, token);
  }

  async remove(uploadId: string): Promise<void> {
    await this.redis.del(...this.keys(uploadId), `${this.base(uploadId)}:sync`);
  }

  private base(uploadId: string): string {
    return `${this.options.keyPrefix}up:{${uploadId}}`;
  }

  private keys(uploadId: string): string[] {
    const base = this.base(uploadId);
    return [base, `${base}:done`, `${base}:failed`, `${base}:leases`];
  }

  /**
   * ioredis adds defined commands to the client at run time only, so they are looked up by name; each
   * has a `<name>Buffer` twin that answers bulk strings as Buffers.
   */
  private run(
    script: ProgressScript | `${ProgressScript}Buffer`,
    uploadId: string,
    args: Array<string | number> = [],
  ): Promise<unknown> {
    const command: unknown = Reflect.get(this.redis, COMMAND_PREFIX + script);
    if (typeof command !== 'function') throw new Error(`Redis command ${COMMAND_PREFIX + script} is not defined`);
    return (command as (...args: Array<string | number>) => Promise<unknown>).apply(this.redis, [
      ...this.keys(uploadId),
      ...args,
    ]);
  }
}

/** Flat [key, value, key, value, ...] reply to a map (HGETALL, ZRANGE WITHSCORES). */
function pairs(flat: unknown): Map<string, string> {
  const map = new Map<string, string>();
  if (!Array.isArray(flat)) return map;
  for (let n = 0; n + 1 < flat.length; n += 2) map.set(String(flat[n]), String(flat[n + 1]));
  return map;
}

function toStatus(value: string | undefined): UploadStatus {
  return UPLOAD_STATUSES.find((s) => s === value) ?? 'initialized';
}

/** Byte counts go to HINCRBY: a fraction or negative would corrupt the counters or fail the script. */
function byteCount(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`invalid chunk size: ${bytes}`);
  return bytes;
}
