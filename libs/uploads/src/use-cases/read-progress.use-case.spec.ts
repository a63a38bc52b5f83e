import { jest } from '@jest/globals';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';

describe('ReadProgress', () => {
  const file = fileOf(12 * MiB + 7);

  describe('with storage asked on every poll', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness();
    });
    afterAll(() => h?.close());
    const init = async () =>
      (
        await h.initBatch.execute({
          uploader: ALICE,
          channelId: '1',
          files: [{ filename: 'p.mp4', size: file.length }],
        })
      )[0];
    const read = (uploadId: string, ownerId = 'alice') => h.readProgress.execute({ uploadId, ownerId });

    it('learns the chunks PUT straight to storage, in bytes, by the poll after the one that asked storage', async () => {
      const u = await init();
      expect(await read(u.uploadId)).toEqual({
        uploadId: u.uploadId,
        filename: 'p.mp4',
        progress: 0,
        status: 'initialized',
        failedChunks: [],
        totalChunks: 3,
        completedCount: 0,
        bytesStored: 0,
        storedChunks: '',
      });
      await h.storage.request('PUT', u.presignedUrls[2], chunkOf(file, u.chunkSize, 2));
      // The poll answers what Redis knew; the look in storage runs behind it.
      expect(await read(u.uploadId)).toMatchObject({ completedCount: 0 });
      await h.sync.settled();
      expect(await read(u.uploadId)).toMatchObject({
        completedCount: 1,
        bytesStored: 2 * MiB + 7,
        progress: Math.floor(((2 * MiB + 7) * 100) / file.length),
        status: 'uploading',
        storedChunks: '2',
      });
    });

    it('runs at most PROGRESS_SYNC_CONCURRENCY looks at once, and a poll does not wait for them', async () => {
      const uploads = await h.initBatch.execute({
        uploader: ALICE,
        channelId: '1',
        files: Array.from({ length: 5 }, (_, i) => ({ filename: `p${i}.mp4`, size: file.length })),
      });
      let release = () => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      const listParts = jest.spyOn(h.storage, 'listParts').mockImplementation(async () => {
        await held;
        return [];
      });
      try {
        for (const u of uploads) {
          expect(await h.readProgress.execute({ uploadId: u.uploadId, ownerId: 'alice' })).toMatchObject({
            completedCount: 0,
          });
        }
        // Looks run behind the polls: wait until the ones allowed have reached storage.
        for (let i = 0; i < 50 && listParts.mock.calls.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
        expect(listParts).toHaveBeenCalledTimes(4);
      } finally {
        release();
        await h.sync.settled();
        listParts.mockRestore();
      }
    });

    it("answers UPLOAD_NOT_FOUND for someone else's upload, exactly as for an unknown one", async () => {
      const u = await init();
      expect(await errorCodeOf(read(u.uploadId, 'mallory'))).toBe('UPLOAD_NOT_FOUND');
      expect(await errorCodeOf(read('6f1c1c1e-0000-4000-8000-000000000000'))).toBe('UPLOAD_NOT_FOUND');
    });

    it('rebuilds lost progress keys from PostgreSQL and storage', async () => {
      const u = await init();
      await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0));
      await h.storage.request('PUT', u.presignedUrls[1], chunkOf(file, u.chunkSize, 1));
      await h.progress.remove(u.uploadId);
      expect(await read(u.uploadId)).toMatchObject({
        completedCount: 2,
        totalChunks: 3,
        filename: 'p.mp4',
        failedChunks: [],
      });
    });

    it('answers UPLOAD_EXPIRED once the session ran out, whether or not the cleanup ran', async () => {
      const u = await init();
      await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        u.uploadId,
      ]);
      await h.progress.remove(u.uploadId); // the keys expire with the session
      expect(await errorCodeOf(read(u.uploadId))).toBe('UPLOAD_EXPIRED');
      await h.expireUploads.execute();
      expect(await errorCodeOf(read(u.uploadId))).toBe('UPLOAD_EXPIRED');
    });
  });

  describe('with a sync interval', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness({ progressSyncIntervalMs: 60_000 });
    });
    afterAll(() => h?.close());

    it('asks storage at most once per interval, however often it is polled', async () => {
      const [u] = await h.initBatch.execute({
        uploader: ALICE,
        channelId: '1',
        files: [{ filename: 'p.mp4', size: file.length }],
      });
      await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0));
      const listParts = jest.spyOn(h.storage, 'listParts');
      const read = () => h.readProgress.execute({ uploadId: u.uploadId, ownerId: 'alice' });
      await Promise.all(Array.from({ length: 20 }, read));
      await h.sync.settled();
      for (let i = 0; i < 20; i++) expect(await read()).toMatchObject({ completedCount: 1 });
      await h.sync.settled();
      expect(listParts).toHaveBeenCalledTimes(1);
    });
  });
});
