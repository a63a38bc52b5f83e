import { Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';

describe('RetryFailedChunks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const file = fileOf(12 * MiB + 7);
  const init = async () =>
    (
      await h.initBatch.execute({ uploader: ALICE, channelId: '1', files: [{ filename: 'a.mp4', size: file.length }] })
    )[0];
  const retry = (uploadId: string) => h.retryFailedChunks.execute({ uploadId, ownerId: 'alice' });

  it('answers nothing while nothing failed', async () => {
    const u = await init();
    expect(await retry(u.uploadId)).toEqual([]);
  });

  it('answers a fresh URL for each failed chunk; the chunk is retrying until stored through it', async () => {
    const u = await init();
    const broken = h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId: 'alice',
      chunkIndex: 1,
      body: { stream: Readable.from([fileOf(10)]) },
    });
    expect(await errorCodeOf(broken)).toBe('CHUNK_LENGTH_MISMATCH');
    const urls = await retry(u.uploadId);
    expect(urls.map((r) => r.chunkIndex)).toEqual([1]);
    expect(await h.progress.get(u.uploadId)).toMatchObject({ status: 'retrying', failedChunks: [] });
    expect((await h.storage.request('PUT', urls[0].url, chunkOf(file, u.chunkSize, 1))).status).toBe(200);
    await h.readProgress.execute({ uploadId: u.uploadId, ownerId: 'alice' }); // starts the look in storage
    await h.sync.settled();
    expect(await h.readProgress.execute({ uploadId: u.uploadId, ownerId: 'alice' })).toMatchObject({
      status: 'uploading',
      completedCount: 1,
    });
  });

  it('counts chunks whose URL expired before they arrived as failed, and re-signs them', async () => {
    const u = await init();
    expect((await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0))).status).toBe(200);
    await h.db.query(`UPDATE upload_sessions SET urls_expire_at = now() - interval '1 second' WHERE id = $1`, [
      u.uploadId,
    ]);
    await h.progress.remove(u.uploadId); // rebuilt from PostgreSQL and storage, with the expiry just set
    const urls = await retry(u.uploadId);
    expect(urls.map((r) => r.chunkIndex)).toEqual([1, 2]);
    for (const { chunkIndex, url, expiresAt } of urls) {
      expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
      expect((await h.storage.request('PUT', url, chunkOf(file, u.chunkSize, chunkIndex))).status).toBe(200);
    }
    expect(await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' })).toMatchObject({
      size: file.length,
    });
  });

  it('answers UPLOAD_NOT_FOUND for another user and UPLOAD_COMPLETED after complete', async () => {
    const u = await init();
    expect(await errorCodeOf(h.retryFailedChunks.execute({ uploadId: u.uploadId, ownerId: 'mallory' }))).toBe(
      'UPLOAD_NOT_FOUND',
    );
    for (let i = 0; i < 3; i++) await h.storage.request('PUT', u.presignedUrls[i], chunkOf(file, u.chunkSize, i));
    await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' });
    expect(await errorCodeOf(retry(u.uploadId))).toBe('UPLOAD_COMPLETED');
  });

  it('answers fresh URLs for the named chunks storage does not hold, the way a resumed page asks', async () => {
    const u = await init();
    expect((await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0))).status).toBe(200);
    const urls = await h.retryFailedChunks.execute({ uploadId: u.uploadId, ownerId: 'alice', chunks: [2, 0, 1, 2] });
    expect(urls.map((r) => r.chunkIndex)).toEqual([1, 2]);
    for (const r of urls)
      expect((await h.storage.request('PUT', r.url, chunkOf(file, u.chunkSize, r.chunkIndex))).status).toBe(200);
    expect((await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' })).size).toBe(file.length);
  });

  it('refuses a named chunk the upload does not have (CHUNK_INDEX_OUT_OF_RANGE)', async () => {
    const u = await init();
    const outside = h.retryFailedChunks.execute({ uploadId: u.uploadId, ownerId: 'alice', chunks: [0, u.totalChunks] });
    expect(await errorCodeOf(outside)).toBe('CHUNK_INDEX_OUT_OF_RANGE');
  });
});
