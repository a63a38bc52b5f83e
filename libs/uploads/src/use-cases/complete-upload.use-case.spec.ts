import { createHash } from 'node:crypto';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';
import type { InitializedUpload } from './init-batch.use-case.js';

describe('CompleteUpload', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const init = async (size: number, type = 'video/mp4'): Promise<InitializedUpload> =>
    (await h.initBatch.execute({ uploader: ALICE, channelId: '9', files: [{ filename: 'a.mp4', size, type }] }))[0];
  const putAll = async (u: InitializedUpload, file: Buffer, except: number[] = []) => {
    for (let i = 0; i < u.totalChunks; i++)
      if (!except.includes(i))
        expect((await h.storage.request('PUT', u.presignedUrls[i], chunkOf(file, u.chunkSize, i))).status).toBe(200);
  };
  const complete = (uploadId: string, requestId?: string) =>
    h.completeUpload.execute({ uploadId, ownerId: 'alice', requestId });
  const stored = async (key: string) => sha256(Buffer.concat(await (await h.storage.readRange(key, 0)).toArray()));

  it('joins the parts into the object, creates the video, queues its processing and drops the progress keys', async () => {
    const file = fileOf(12 * MiB + 7);
    const u = await init(file.length);
    await putAll(u, file);
    const video = await complete(u.uploadId, 'req-1');
    expect(video).toMatchObject({
      id: u.fileId,
      uploadId: u.uploadId,
      size: file.length,
      contentType: 'video/mp4',
      status: 'uploaded',
      storageKey: `videos/${u.fileId}/source`,
    });
    expect(await stored(video.storageKey)).toBe(sha256(file));
    expect(h.queue.enqueued).toContain(u.fileId);
    // The request's id goes with the job, for the worker's log lines.
    expect(h.queue.requestIds.get(u.fileId)).toBe('req-1');
    expect(await h.progress.get(u.uploadId)).toBeNull();
    expect(await h.readProgress.execute({ uploadId: u.uploadId, ownerId: 'alice' })).toMatchObject({
      status: 'completed',
      progress: 100,
      videoId: u.fileId,
    });
  });

  it('completes a file sent whole, PUT with any type, as the type init recorded; its URL is dead afterwards', async () => {
    const file = fileOf(MiB);
    const u = await init(file.length, 'video/x-msvideo');
    expect((await h.storage.request('PUT', u.presignedUrls[0], file, { 'content-type': 'video/avi' })).status).toBe(
      200,
    );
    const video = await complete(u.uploadId);
    expect(await h.storage.head(video.storageKey)).toMatchObject({ size: file.length, contentType: 'video/x-msvideo' });
    expect((await h.storage.request('PUT', u.presignedUrls[0], fileOf(MiB))).status).toBe(404);
    expect(await stored(video.storageKey)).toBe(sha256(file));
  });

  it('refuses with MISSING_PARTS and marks the missing chunks failed, so that retry covers them', async () => {
    const file = fileOf(12 * MiB + 7);
    const u = await init(file.length);
    await putAll(u, file, [1, 2]);
    const error = await complete(u.uploadId).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'MISSING_PARTS', details: { missingChunks: [1, 2], totalChunks: 3 } });
    expect(await h.progress.get(u.uploadId)).toMatchObject({ status: 'failed', failedChunks: [1, 2] });
    // The batch's live events say so too.
    const events = (await h.events.read(u.batchId, null, 100)).map((e) => e.event);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'chunk.failed', uploadId: u.uploadId, chunks: [1, 2] }) as unknown,
    );
    expect(
      (await h.retryFailedChunks.execute({ uploadId: u.uploadId, ownerId: 'alice' })).map((r) => r.chunkIndex),
    ).toEqual([1, 2]);

    const whole = await init(100);
    expect(await complete(whole.uploadId).catch((e: unknown) => e)).toMatchObject({
      code: 'MISSING_PARTS',
      details: { missingChunks: [0] },
    });
  });

  it('answers the same video to completions at once and again, with one video row', async () => {
    const file = fileOf(6 * MiB);
    const u = await init(file.length);
    await putAll(u, file);
    const videos = await Promise.all([complete(u.uploadId), complete(u.uploadId), complete(u.uploadId)]);
    videos.push(await complete(u.uploadId));
    expect(new Set(videos.map((v) => v.id))).toEqual(new Set([u.fileId]));
    expect(await h.count('SELECT count(*)::int AS n FROM videos WHERE upload_id = $1', [u.uploadId])).toBe(1);
  });

  it('answers UPLOAD_EXPIRED past the expiry, even before the cleanup ran', async () => {
    const file = fileOf(MiB);
    const u = await init(file.length);
    await putAll(u, file);
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [u.uploadId]);
    expect(await errorCodeOf(complete(u.uploadId))).toBe('UPLOAD_EXPIRED');
    expect(await errorCodeOf(h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'mallory' }))).toBe(
      'UPLOAD_NOT_FOUND',
    );
  });

  describe('a declared sha256', () => {
    const file = fileOf(MiB);
    const initWith = async (declared?: string) =>
      (
        await h.initBatch.execute({
          uploader: ALICE,
          channelId: '9',
          files: [{ filename: 'h.mp4', size: file.length, sha256: declared }],
        })
      )[0];

    it("keeps init's hash on the video, or the one given at completion", async () => {
      const atInit = await initWith(sha256(file));
      await putAll(atInit, file);
      expect((await complete(atInit.uploadId)).declaredSha256).toBe(sha256(file));

      const atComplete = await initWith();
      await putAll(atComplete, file);
      const video = await h.completeUpload.execute({
        uploadId: atComplete.uploadId,
        ownerId: 'alice',
        sha256: sha256(file),
      });
      expect(video.declaredSha256).toBe(sha256(file));
    });

    it("refuses one at completion that differs from init's, or is malformed, and completes nothing", async () => {
      const u = await initWith(sha256(file));
      await putAll(u, file);
      for (const given of [sha256(Buffer.from('other')), 'ABC']) {
        expect(
          await errorCodeOf(h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice', sha256: given })),
        ).toBe('VALIDATION_FAILED');
      }
      expect(await h.repository.findVideoByUploadId(u.uploadId)).toBeNull();
      expect(
        await errorCodeOf(
          h.initBatch.execute({ uploader: ALICE, channelId: '9', files: [{ filename: 'x', size: 1, sha256: 'abc' }] }),
        ),
      ).toBe('VALIDATION_FAILED');
    });
  });
});
