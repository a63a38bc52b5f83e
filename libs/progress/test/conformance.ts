/**
 * One behaviour suite for every ProgressStore (like the storage conformance suite): the rules the use
 * cases rely on hold for the Redis store and for the in-memory one the use cases' unit tests use.
 */
import { randomUUID } from 'node:crypto';
import type { ProgressInit, ProgressStore } from '../src/progress.store.js';

const MiB = 1024 * 1024;

/** A new upload of 4 chunks, 3 of 5 MiB and a last one of 1 MiB, unless overridden. */
export function progressInitOf(overrides: Partial<ProgressInit> = {}): ProgressInit {
  return {
    uploadId: randomUUID(),
    filename: 'clip.mp4',
    ownerId: 'user-1',
    totalChunks: 4,
    size: 3 * 5 * MiB + 1 * MiB,
    expiresAt: Date.now() + 3_600_000,
    urlsExpireAt: Date.now() + 900_000,
    ...overrides,
  };
}

/** Every mutation of the store, on one upload: none may bring back an upload whose keys are gone. */
export async function mutateAll(store: ProgressStore, id: string): Promise<void> {
  await store.markUploading(id, 0);
  await store.markDone(id, 0, 5 * MiB);
  await store.markManyDone(id, [[1, 5 * MiB]]);
  await store.markFailed(id, [2]);
  await store.markRetrying(id, [3], Date.now() + 60_000);
  await store.setSyncedAt(id, 1);
}

export function describeProgressStoreConformance(name: string, factory: () => ProgressStore): void {
  describe(`ProgressStore conformance: ${name}`, () => {
    let store: ProgressStore;
    beforeAll(() => {
      store = factory();
    });

    async function newUpload(overrides: Partial<ProgressInit> = {}): Promise<ProgressInit> {
      const p = progressInitOf(overrides);
      await store.init(p);
      return p;
    }

    it('init then get returns an empty snapshot', async () => {
      const p = await newUpload();
      expect(await store.get(p.uploadId)).toEqual({
        uploadId: p.uploadId,
        filename: 'clip.mp4',
        ownerId: 'user-1',
        totalChunks: 4,
        size: p.size,
        completedCount: 0,
        completedBytes: 0,
        progress: 0,
        status: 'initialized',
        failedChunks: [],
        storedChunks: '',
        urlsExpireAt: p.urlsExpireAt,
        syncedAt: 0,
      });
      expect(await store.get(randomUUID())).toBeNull();
    });

    it('markUploading moves the status to uploading', async () => {
      const p = await newUpload();
      await store.markUploading(p.uploadId, 0);
      expect((await store.get(p.uploadId))?.status).toBe('uploading');
    });

    it('markDone is idempotent and progress is measured in bytes', async () => {
      const p = await newUpload();
      await store.markDone(p.uploadId, 3, 1 * MiB);
      await store.markDone(p.uploadId, 3, 1 * MiB);
      let s = await store.get(p.uploadId);
      expect(s).toMatchObject({ completedCount: 1, completedBytes: MiB, progress: 6, status: 'uploading' });

      await store.markDone(p.uploadId, 0, 5 * MiB);
      s = await store.get(p.uploadId);
      expect(s).toMatchObject({ completedCount: 2, completedBytes: 6 * MiB, progress: 37 }); // 6/16
    });

    it('caps progress at 99 until every chunk is done', async () => {
      // Bytes reach 100% while a chunk is missing, e.g. after a wrong length was reported.
      const p = await newUpload({ totalChunks: 3, size: 300 });
      await store.markManyDone(p.uploadId, [
        [0, 150],
        [1, 150],
      ]);
      expect((await store.get(p.uploadId))?.progress).toBe(99);
      await store.markDone(p.uploadId, 2, 0);
      expect((await store.get(p.uploadId))?.progress).toBe(100);
    });

    it('answers the stored chunks as ranges', async () => {
      const p = await newUpload({ totalChunks: 12, size: 12 * MiB });
      await store.markManyDone(p.uploadId, [
        [0, MiB],
        [1, MiB],
        [2, MiB],
        [9, MiB],
        [11, MiB],
        [5, MiB],
      ]);
      expect((await store.get(p.uploadId))?.storedChunks).toBe('0-2,5,9,11');
      await store.markManyDone(p.uploadId, [
        [3, MiB],
        [4, MiB],
        [10, MiB],
      ]);
      expect((await store.get(p.uploadId))?.storedChunks).toBe('0-5,9-11');
    });

    it('failed chunks give status failed, sorted, and done chunks cannot fail', async () => {
      const p = await newUpload({ totalChunks: 12, size: 12 * MiB });
      await store.markDone(p.uploadId, 1, MiB);
      await store.markFailed(p.uploadId, [10, 2, 1]);
      const s = await store.get(p.uploadId);
      expect(s).toMatchObject({ status: 'failed', failedChunks: [2, 10], completedCount: 1 });
    });

    it('markRetrying moves failed chunks to leases; done clears the lease', async () => {
      const p = await newUpload();
      const deadline = Date.now() + 600_000;
      await store.markFailed(p.uploadId, [1, 2]);
      await store.markRetrying(p.uploadId, [1, 2], deadline);
      expect(await store.get(p.uploadId)).toMatchObject({ status: 'retrying', failedChunks: [] });
      expect(await store.leases(p.uploadId)).toEqual(
        new Map([
          [1, deadline],
          [2, deadline],
        ]),
      );

      await store.markDone(p.uploadId, 1, 5 * MiB);
      expect((await store.get(p.uploadId))?.status).toBe('retrying');
      await store.markDone(p.uploadId, 2, 5 * MiB);
      expect(await store.leases(p.uploadId)).toEqual(new Map());
      expect((await store.get(p.uploadId))?.status).toBe('uploading');
    });

    it('markManyDone counts each chunk once in one call', async () => {
      const p = await newUpload();
      await store.markDone(p.uploadId, 0, 5 * MiB);
      await store.markFailed(p.uploadId, [2]);
      await store.markManyDone(p.uploadId, [
        [0, 5 * MiB],
        [1, 5 * MiB],
        [2, 5 * MiB],
        [2, 5 * MiB],
      ]);
      expect(await store.get(p.uploadId)).toMatchObject({
        completedCount: 3,
        completedBytes: 15 * MiB,
        failedChunks: [],
        status: 'uploading',
      });
    });

    it('ignores chunk indices outside the upload', async () => {
      const p = await newUpload();
      await store.markManyDone(p.uploadId, [
        [4, MiB],
        [-1, MiB],
        [2 ** 31, MiB],
      ]);
      await store.markFailed(p.uploadId, [4, 1e9]);
      expect(await store.get(p.uploadId)).toMatchObject({ completedCount: 0, failedChunks: [], status: 'initialized' });
    });

    it('setSyncedAt, and tryLockSync gives the lock to one caller until it lapses', async () => {
      const p = await newUpload();
      await store.setSyncedAt(p.uploadId, 1234);
      expect((await store.get(p.uploadId))?.syncedAt).toBe(1234);
      expect(await store.tryLockSync(p.uploadId, 200)).toBe(true);
      expect(await store.tryLockSync(p.uploadId, 200)).toBe(false);
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.tryLockSync(p.uploadId, 200)).toBe(true);
    });

    it('the write lock is held by one token until it is released, or lapses unless extended', async () => {
      const p = await newUpload();
      expect(await store.tryLockWrite(p.uploadId, 'a', 200)).toBe(true);
      expect(await store.tryLockWrite(p.uploadId, 'b', 200)).toBe(false);
      expect(await store.extendLockWrite(p.uploadId, 'b', 200)).toBe(false);
      await store.unlockWrite(p.uploadId, 'b');
      expect(await store.tryLockWrite(p.uploadId, 'b', 200)).toBe(false);
      expect(await store.extendLockWrite(p.uploadId, 'a', 400)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.tryLockWrite(p.uploadId, 'b', 200)).toBe(false);
      await store.unlockWrite(p.uploadId, 'a');
      expect(await store.tryLockWrite(p.uploadId, 'b', 200)).toBe(true);
      await new Promise((r) => setTimeout(r, 300));
      expect(await store.extendLockWrite(p.uploadId, 'b', 200)).toBe(false);
      expect(await store.tryLockWrite(p.uploadId, 'a', 200)).toBe(true);
    });

    it('mutations after remove() do not bring the upload back', async () => {
      const p = await newUpload();
      await store.markFailed(p.uploadId, [1]);
      await store.remove(p.uploadId);
      await mutateAll(store, p.uploadId);
      expect(await store.get(p.uploadId)).toBeNull();
      expect(await store.leases(p.uploadId)).toEqual(new Map());
    });

    it('an upload is gone once its expiry passed, and mutations do not bring it back', async () => {
      const p = await newUpload({ expiresAt: Date.now() + 300 });
      await store.markDone(p.uploadId, 1, 5 * MiB);
      expect(await store.get(p.uploadId)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 400));
      expect(await store.get(p.uploadId)).toBeNull();
      await mutateAll(store, p.uploadId);
      expect(await store.get(p.uploadId)).toBeNull();
    });

    it('50 concurrent markDone of one chunk count it once', async () => {
      const p = await newUpload();
      await Promise.all(Array.from({ length: 50 }, () => store.markDone(p.uploadId, 2, 5 * MiB)));
      expect(await store.get(p.uploadId)).toMatchObject({ completedCount: 1, completedBytes: 5 * MiB });
    });
  });
}
