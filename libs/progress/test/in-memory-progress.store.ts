/**
 * ProgressStore in memory, for the use cases' unit tests. It keeps the rules of the Redis scripts
 * (redis-progress.scripts.ts), and the conformance suite (conformance.ts) runs against both stores to
 * prove it: a chunk is counted once, a done chunk cannot fail, the status is derived, an upload whose
 * keys are gone (removed, or past their expiry) is never brought back by a mutation.
 */
import { chunkRanges } from '../src/chunk-ranges.js';
import { progressPercent } from '../src/progress-percent.js';
import { ProgressStore, type ProgressInit, type ProgressSnapshot, type UploadStatus } from '../src/progress.store.js';

interface Upload {
  init: ProgressInit;
  status: UploadStatus;
  done: Map<number, number>;
  failed: Set<number>;
  leases: Map<number, number>;
  syncedAt: number;
}

/** Answers synchronous work as the store's promise: a throw becomes the rejection. */
const promised = <T>(work: () => T): Promise<T> => new Promise((resolve) => resolve(work()));

export class InMemoryProgressStore extends ProgressStore {
  private readonly uploads = new Map<string, Upload>();
  private readonly syncLocks = new Map<string, number>();
  private readonly writeLocks = new Map<string, { token: string; until: number }>();

  init(p: ProgressInit): Promise<void> {
    return promised(() => {
      this.uploads.set(p.uploadId, {
        init: { ...p },
        status: 'initialized',
        done: new Map(),
        failed: new Set(),
        leases: new Map(),
        syncedAt: 0,
      });
    });
  }

  get(uploadId: string): Promise<ProgressSnapshot | null> {
    return promised(() => {
      const u = this.live(uploadId);
      if (!u) return null;
      const completedBytes = [...u.done.values()].reduce((a, b) => a + b, 0);
      const counters = {
        completedBytes,
        size: u.init.size,
        completedCount: u.done.size,
        totalChunks: u.init.totalChunks,
      };
      return {
        uploadId,
        filename: u.init.filename,
        ownerId: u.init.ownerId,
        ...counters,
        progress: progressPercent(counters),
        status: u.status,
        failedChunks: [...u.failed].sort((a, b) => a - b),
        storedChunks: chunkRanges([...u.done.keys()].sort((a, b) => a - b)),
        urlsExpireAt: u.init.urlsExpireAt,
        syncedAt: u.syncedAt,
      };
    });
  }

  markUploading(uploadId: string, chunkIndex: number): Promise<void> {
    return promised(() => {
      const u = this.live(uploadId);
      if (u) settle(u, inRange(u, chunkIndex));
    });
  }

  async markDone(uploadId: string, chunkIndex: number, bytes: number): Promise<void> {
    await this.markManyDone(uploadId, [[chunkIndex, bytes]]);
  }

  markManyDone(uploadId: string, chunks: Array<[number, number]>): Promise<void> {
    return promised(() => {
      const u = this.live(uploadId);
      if (!u || chunks.length === 0) return;
      let seen = false;
      for (const [index, bytes] of chunks) {
        if (!inRange(u, index)) continue;
        if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`invalid chunk size: ${bytes}`);
        seen = true;
        if (!u.done.has(index)) u.done.set(index, bytes);
        u.failed.delete(index);
        u.leases.delete(index);
      }
      settle(u, seen);
    });
  }

  markFailed(uploadId: string, chunkIndices: number[]): Promise<void> {
    return promised(() => {
      const u = this.live(uploadId);
      if (!u || chunkIndices.length === 0) return;
      for (const i of chunkIndices) {
        if (inRange(u, i) && !u.done.has(i)) {
          u.failed.add(i);
          u.leases.delete(i);
        }
      }
      settle(u, false);
    });
  }

  markRetrying(uploadId: string, chunkIndices: number[], urlsExpireAt: number): Promise<void> {
    return promised(() => {
      const u = this.live(uploadId);
      if (!u || chunkIndices.length === 0) return;
      for (const i of chunkIndices) {
        if (inRange(u, i) && !u.done.has(i)) {
          u.failed.delete(i);
          u.leases.set(i, urlsExpireAt);
        }
      }
      settle(u, false);
    });
  }

  leases(uploadId: string): Promise<Map<number, number>> {
    return promised(() => {
      return new Map(this.live(uploadId)?.leases ?? []);
    });
  }

  setSyncedAt(uploadId: string, at: number): Promise<void> {
    return promised(() => {
      const u = this.live(uploadId);
      if (u) u.syncedAt = at;
    });
  }

  tryLockSync(uploadId: string, ttlMs: number): Promise<boolean> {
    return promised(() => {
      const until = this.syncLocks.get(uploadId);
      if (until !== undefined && until > Date.now()) return false;
      this.syncLocks.set(uploadId, Date.now() + ttlMs);
      return true;
    });
  }

  tryLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean> {
    return promised(() => {
      const held = this.writeLocks.get(uploadId);
      if (held && held.until > Date.now()) return false;
      this.writeLocks.set(uploadId, { token, until: Date.now() + ttlMs });
      return true;
    });
  }

  extendLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean> {
    return promised(() => {
      const held = this.writeLocks.get(uploadId);
      if (!held || held.token !== token || held.until <= Date.now()) return false;
      held.until = Date.now() + ttlMs;
      return true;
    });
  }

  unlockWrite(uploadId: string, token: string): Promise<void> {
    return promised(() => {
      if (this.writeLocks.get(uploadId)?.token === token) this.writeLocks.delete(uploadId);
    });
  }

  remove(uploadId: string): Promise<void> {
    return promised(() => {
      this.uploads.delete(uploadId);
      this.syncLocks.delete(uploadId);
    });
  }

  /** The upload, unless its keys are gone: removed, or expired with the session. */
  private live(uploadId: string): Upload | undefined {
    const u = this.uploads.get(uploadId);
    if (u && u.init.expiresAt <= Date.now()) this.uploads.delete(uploadId);
    return this.uploads.get(uploadId);
  }
}

function inRange(u: Upload, index: number): boolean {
  return Number.isInteger(index) && index >= 0 && index < u.init.totalChunks;
}

/** The status rule of the scripts' `settle`. */
function settle(u: Upload, active: boolean): void {
  if (u.failed.size > 0) u.status = 'failed';
  else if (u.leases.size > 0) u.status = 'retrying';
  else if (!active && u.status === 'initialized') u.status = 'initialized';
  else u.status = 'uploading';
}
