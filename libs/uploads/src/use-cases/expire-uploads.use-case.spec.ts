import { ALICE, chunkOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';

describe('ExpireUploads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const file = fileOf(12 * MiB + 7);
  const expire = (uploadId: string) =>
    h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [uploadId]);
  const sessionOf = async (uploadId: string) => (await h.repository.findOwnedSession(uploadId, 'alice'))!;

  it('aborts the multipart uploads of sessions past their expiry, drops their keys and marks them expired', async () => {
    const [abandoned, inTime] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [
        { filename: 'gone.mp4', size: file.length },
        { filename: 'kept.mp4', size: file.length },
      ],
    });
    for (const u of [abandoned, inTime])
      await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0));
    const gone = await sessionOf(abandoned.uploadId);
    await expire(abandoned.uploadId);

    expect(await h.expireUploads.execute()).toEqual({ expired: 1, failed: 0 });
    expect(h.storage.uploads.has(gone.multipartUploadId)).toBe(false);
    expect(await sessionOf(abandoned.uploadId)).toMatchObject({ state: 'expired' });
    expect(await h.progress.get(abandoned.uploadId)).toBeNull();
    const kept = await sessionOf(inTime.uploadId);
    expect(kept.state).toBe('open');
    expect(await h.storage.listParts(kept.storageKey, kept.multipartUploadId)).toHaveLength(1);
    expect(await h.expireUploads.execute()).toEqual({ expired: 0, failed: 0 });
  });

  it('deletes an object a failed complete left under the key', async () => {
    const small = fileOf(MiB);
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'half.mp4', size: small.length }],
    });
    const put = await h.storage.request('PUT', u.presignedUrls[0], small);
    const s = await sessionOf(u.uploadId);
    await h.storage.completeMultipart(s.storageKey, s.multipartUploadId, [{ partNumber: 1, etag: put.headers.etag! }]);
    await expire(u.uploadId);
    expect((await h.expireUploads.execute()).expired).toBe(1);
    expect(await h.storage.head(s.storageKey)).toBeNull();
  });

  it('leaves a session open when storage cannot release it, for the next run', async () => {
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'stuck.mp4', size: MiB }],
    });
    await expire(u.uploadId);
    const abort = h.storage.abortMultipart.bind(h.storage);
    h.storage.abortMultipart = () => Promise.reject(new Error('storage is down'));
    try {
      expect(await h.expireUploads.execute()).toEqual({ expired: 0, failed: 1 });
    } finally {
      h.storage.abortMultipart = abort;
    }
    expect(await sessionOf(u.uploadId)).toMatchObject({ state: 'open' });
    expect(await h.expireUploads.execute()).toEqual({ expired: 1, failed: 0 });
  });
});
