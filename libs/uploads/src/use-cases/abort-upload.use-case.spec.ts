import { Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';

describe('AbortUpload', () => {
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
  const command = (uploadId: string) => ({ uploadId, ownerId: 'alice' });

  it('aborts the multipart upload, drops the progress keys, and every later call answers UPLOAD_ABORTED', async () => {
    const u = await init();
    expect((await h.storage.request('PUT', u.presignedUrls[0], chunkOf(file, u.chunkSize, 0))).status).toBe(200);
    const session = (await h.repository.findOwnedSession(u.uploadId, 'alice'))!;

    expect(await h.abortUpload.execute(command(u.uploadId))).toEqual({ uploadId: u.uploadId, status: 'aborted' });
    expect(h.storage.uploads.has(session.multipartUploadId)).toBe(false);
    expect(await h.progress.get(u.uploadId)).toBeNull();
    expect(await h.repository.findOwnedSession(u.uploadId, 'alice')).toMatchObject({ state: 'aborted' });
    // Its URLs are dead: storage has no such upload any more.
    expect((await h.storage.request('PUT', u.presignedUrls[1], chunkOf(file, u.chunkSize, 1))).status).toBe(404);

    const body = { stream: Readable.from([chunkOf(file, u.chunkSize, 1)]) };
    expect(await errorCodeOf(h.readProgress.execute(command(u.uploadId)))).toBe('UPLOAD_ABORTED');
    expect(await errorCodeOf(h.retryFailedChunks.execute(command(u.uploadId)))).toBe('UPLOAD_ABORTED');
    expect(await errorCodeOf(h.completeUpload.execute(command(u.uploadId)))).toBe('UPLOAD_ABORTED');
    expect(await errorCodeOf(h.receiveChunk.execute({ ...command(u.uploadId), chunkIndex: 1, body }))).toBe(
      'UPLOAD_ABORTED',
    );
    // Aborting again answers the same; the cleanup leaves it alone.
    expect(await h.abortUpload.execute(command(u.uploadId))).toEqual({ uploadId: u.uploadId, status: 'aborted' });
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [u.uploadId]);
    expect(await h.expireUploads.execute()).toEqual({ expired: 0, failed: 0 });
  });

  it('refuses to abort a completed upload (UPLOAD_COMPLETED) and keeps its video', async () => {
    const small = fileOf(MiB);
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'done.mp4', size: small.length }],
    });
    await h.storage.request('PUT', u.presignedUrls[0], small);
    const video = await h.completeUpload.execute(command(u.uploadId));
    expect(await errorCodeOf(h.abortUpload.execute(command(u.uploadId)))).toBe('UPLOAD_COMPLETED');
    expect(await h.storage.head(video.storageKey)).toMatchObject({ size: small.length });
  });

  it("answers UPLOAD_NOT_FOUND for someone else's upload and leaves it open", async () => {
    const u = await init();
    expect(await errorCodeOf(h.abortUpload.execute({ uploadId: u.uploadId, ownerId: 'mallory' }))).toBe(
      'UPLOAD_NOT_FOUND',
    );
    expect(await h.repository.findOwnedSession(u.uploadId, 'alice')).toMatchObject({ state: 'open' });
  });

  it('answers UPLOAD_EXPIRED past the expiry, before the cleanup ran, and leaves the release to it', async () => {
    const u = await init();
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [u.uploadId]);
    expect(await errorCodeOf(h.abortUpload.execute(command(u.uploadId)))).toBe('UPLOAD_EXPIRED');
    expect(await h.expireUploads.execute()).toMatchObject({ expired: 1 });
    expect(await errorCodeOf(h.abortUpload.execute(command(u.uploadId)))).toBe('UPLOAD_EXPIRED');
  });
});
