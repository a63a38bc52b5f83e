/**
 * The batch as a unit and the integrity of its files (issue 19, parts 1, 2, 5 and 6), end to end on both
 * storage drivers with the built API and worker, real PostgreSQL, Redis, storage and ffmpeg:
 * GET /batch/{batchId}, POST /batch/{batchId}/complete, a sha256 declared at init and checked by the
 * worker, and the processing state that progress answers after completion.
 */
import type { BatchDto } from '../apps/api/src/videos-batch/dto/batch.dto.js';
import type { ProgressDto } from '../apps/api/src/videos-batch/dto/progress.dto.js';
import type { UploadSessionDto } from '../apps/api/src/videos-batch/dto/upload-session.dto.js';
import type { VideoDetailsDto } from '../apps/api/src/videos/dto/video-details.dto.js';
import { failingFields } from './support/api-client.js';
import { chunkOf, eventually, putTo, randomFile, sha256 } from './support/files.js';
import { makeVideo } from './support/media.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

const CHUNKED = 12 * MiB + 7; // 5 MiB parts in tests: 3 chunks

describe.each(DRIVERS)('the batch resource on the %s driver', (driver) => {
  let stack: Stack;
  let clip: Buffer;
  const chunked = randomFile(CHUNKED);

  beforeAll(async () => {
    [stack, clip] = await Promise.all([
      startStack({ driver, worker: true }),
      makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: false }),
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function init(files: Array<{ filename: string; size: number; sha256?: string }>): Promise<UploadSessionDto[]> {
    const res = await stack.api.init({ channel_id: '123', files: files.map((f) => ({ ...f, type: 'video/mp4' })) });
    expect(res.status).toBe(201);
    return res.body.data!;
  }
  async function putChunk(u: UploadSessionDto, source: Buffer, index: number) {
    expect((await putTo(u.presignedUrls[index], chunkOf(source, u.chunkSize, index))).status).toBe(200);
  }
  async function batch(batchId: string): Promise<BatchDto> {
    const res = await stack.api.batch(batchId);
    expect(res.status).toBe(200);
    return res.body.data!;
  }
  async function progressWhen(uploadId: string, check: (p: ProgressDto) => boolean): Promise<ProgressDto> {
    const res = await eventually(
      () => stack.api.progress(uploadId),
      (r) => r.status === 200 && check(r.body.data!),
      40_000,
    );
    expect(res.status).toBe(200);
    return res.body.data!;
  }
  const settled = (p: ProgressDto) => p.videoStatus === 'ready' || p.videoStatus === 'failed';

  it("answers every file's figures and the batch's while uploading, after one file completes and after all", async () => {
    const [video, big] = await init([
      { filename: 'clip.mp4', size: clip.length },
      { filename: 'big.mp4', size: CHUNKED },
    ]);
    expect(video.batchId).toBe(big.batchId);
    const total = clip.length + CHUNKED;
    expect(await batch(video.batchId)).toMatchObject({
      batchId: video.batchId,
      channelId: '123',
      state: 'uploading',
      bytesStored: 0,
      bytesTotal: total,
      progress: 0,
      files: [
        { uploadId: video.uploadId, filename: 'clip.mp4', status: 'initialized', size: clip.length, totalChunks: 1 },
        { uploadId: big.uploadId, filename: 'big.mp4', status: 'initialized', size: CHUNKED, totalChunks: 3 },
      ],
    });

    // Parts PUT straight to storage show within the sync interval (1 s).
    await putChunk(big, chunked, 1);
    const partly = await eventually(
      () => batch(video.batchId),
      (b) => b.bytesStored === 5 * MiB,
    );
    expect(partly.files[1]).toMatchObject({
      status: 'uploading',
      completedCount: 1,
      bytesStored: 5 * MiB,
      storedChunks: '1',
    });
    expect(partly.progress).toBe(Math.floor((5 * MiB * 100) / total));

    await putChunk(video, clip, 0);
    expect((await stack.api.complete(video.uploadId)).status).toBe(200);
    const one = await batch(video.batchId);
    expect(one).toMatchObject({ state: 'uploading', bytesStored: clip.length + 5 * MiB });
    expect(one.files[0]).toMatchObject({ status: 'completed', progress: 100, videoId: video.fileId });
    expect(['uploaded', 'processing', 'ready']).toContain(one.files[0].videoStatus);

    await putChunk(big, chunked, 0);
    await putChunk(big, chunked, 2);
    expect((await stack.api.complete(big.uploadId)).status).toBe(200);
    const all = await batch(video.batchId);
    expect(all).toMatchObject({ state: 'completed', bytesStored: total, bytesTotal: total, progress: 100 });
    expect(all.files.map((f) => [f.status, f.videoId])).toEqual([
      ['completed', video.fileId],
      ['completed', big.fileId],
    ]);

    // Processing, as the upload's progress answers it: the video ends ready, the random bytes fail with a reason.
    expect(await progressWhen(video.uploadId, settled)).toMatchObject({ status: 'completed', videoStatus: 'ready' });
    const failed = await progressWhen(big.uploadId, settled);
    expect(failed.videoStatus).toBe('failed');
    expect(failed.failureReason).toMatch(/not a video/);
    expect((await batch(video.batchId)).files.map((f) => f.videoStatus)).toEqual(['ready', 'failed']);
  });

  it('shows the processing status moving to ready on the progress of a completed upload', async () => {
    const [u] = await init([{ filename: 'watch.mp4', size: clip.length }]);
    await putChunk(u, clip, 0);
    expect((await stack.api.complete(u.uploadId)).status).toBe(200);
    const seen = new Set<string>();
    const last = await progressWhen(u.uploadId, (p) => {
      seen.add(String(p.videoStatus));
      return settled(p);
    });
    expect(last).toMatchObject({ status: 'completed', progress: 100, videoId: u.fileId, videoStatus: 'ready' });
    expect(last.failureReason).toBeUndefined();
    // Polled from right after completion: it was seen before it was ready.
    expect([...seen].some((s) => s === 'uploaded' || s === 'processing')).toBe(true);
  });

  it('is partially_failed when one file was aborted and the others completed', async () => {
    const [kept, dropped] = await init([
      { filename: 'kept.mp4', size: MiB },
      { filename: 'dropped.mp4', size: CHUNKED },
    ]);
    await putChunk(kept, randomFile(MiB), 0);
    await putChunk(dropped, chunked, 0);
    expect((await stack.api.abort(dropped.uploadId)).status).toBe(200);
    expect(await batch(kept.batchId)).toMatchObject({ state: 'uploading', bytesTotal: MiB });
    expect((await stack.api.complete(kept.uploadId)).status).toBe(200);
    expect(await batch(kept.batchId)).toMatchObject({
      state: 'partially_failed',
      bytesStored: MiB,
      bytesTotal: MiB,
      progress: 100,
      files: [
        { status: 'completed', videoId: kept.fileId },
        { status: 'aborted', bytesStored: 0, completedCount: 0 },
      ],
    });
  });

  it("answers 404 BATCH_NOT_FOUND for someone else's batch and an unknown one, 400 for an id that is no UUID", async () => {
    const [u] = await init([{ filename: 'mine.mp4', size: MiB }]);
    await putChunk(u, randomFile(MiB), 0);
    const mallory = await stack.as('mallory', '*');
    for (const res of [await mallory.batch(u.batchId), await mallory.completeBatch(u.batchId)]) {
      expect(res.status).toBe(404);
      expect(res.body.error?.code).toBe('BATCH_NOT_FOUND');
    }
    expect((await stack.api.progress(u.uploadId)).body.data?.status).not.toBe('completed');
    const unknown = await stack.api.batch('6f1c1c1e-0000-4000-8000-000000000000');
    expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'BATCH_NOT_FOUND']);
    const bad = await stack.api.batch('not-a-uuid');
    expect([bad.status, bad.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('completes the batch: the files with every chunk stored, the missing chunks of the other; again; then all', async () => {
    const small = randomFile(MiB);
    const [a, b] = await init([
      { filename: 'whole.mp4', size: MiB },
      { filename: 'gap.mp4', size: CHUNKED },
    ]);
    await putChunk(a, small, 0);
    await putChunk(b, chunked, 0);
    await putChunk(b, chunked, 2);

    const first = await stack.api.completeBatch(a.batchId);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({
      batchId: a.batchId,
      completed: false,
      files: [
        { uploadId: a.uploadId, outcome: 'completed', video: { videoId: a.fileId, status: 'uploaded' } },
        { uploadId: b.uploadId, outcome: 'missing_chunks', missingChunks: [1], totalChunks: 3 },
      ],
    });
    // The missing chunk is marked failed, so that /retry covers it.
    expect((await stack.api.progress(b.uploadId)).body.data?.failedChunks).toEqual([1]);

    const second = await stack.api.completeBatch(a.batchId);
    expect(second.status).toBe(200);
    expect(second.body.data?.files.map((f) => [f.outcome, f.video?.videoId])).toEqual([
      ['completed', a.fileId],
      ['missing_chunks', undefined],
    ]);

    const [fresh] = (await stack.api.retry(b.uploadId)).body.data!;
    expect(fresh.chunkIndex).toBe(1);
    expect((await putTo(fresh.url, chunkOf(chunked, b.chunkSize, 1))).status).toBe(200);
    const third = await stack.api.completeBatch(a.batchId);
    expect(third.body.data).toMatchObject({
      completed: true,
      files: [
        { outcome: 'completed', video: { videoId: a.fileId } },
        { outcome: 'completed', video: { videoId: b.fileId, size: CHUNKED } },
      ],
    });
    const { rows } = await stack.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM videos WHERE upload_id = ANY($1)',
      [[a.uploadId, b.uploadId]],
    );
    expect(rows[0].n).toBe(2);
    expect((await batch(a.batchId)).state).toBe('completed');
  });

  describe('a sha256 declared at init', () => {
    const video = (videoId: string) => stack.api.call<VideoDetailsDto>('GET', `/api/v1/videos/${videoId}`);

    it('that matches: the video ends ready with that hash', async () => {
      const [u] = await init([{ filename: 'ok.mp4', size: clip.length, sha256: sha256(clip) }]);
      await putChunk(u, clip, 0);
      expect((await stack.api.complete(u.uploadId)).status).toBe(200);
      expect(await progressWhen(u.uploadId, settled)).toMatchObject({ videoStatus: 'ready' });
      expect((await video(u.fileId)).body.data).toMatchObject({ status: 'ready', sha256: sha256(clip) });
    });

    it('that does not match: the worker fails the video with CHECKSUM_MISMATCH and both hashes', async () => {
      const declared = sha256(Buffer.from('another file'));
      const [u] = await init([{ filename: 'changed.mp4', size: clip.length, sha256: declared }]);
      await putChunk(u, clip, 0);
      expect((await stack.api.complete(u.uploadId)).status).toBe(200);
      const done = await progressWhen(u.uploadId, settled);
      expect(done.videoStatus).toBe('failed');
      expect(done.failureReason).toBe(
        `CHECKSUM_MISMATCH: the upload declared sha256 ${declared}, the stored file hashes to ${sha256(clip)}`,
      );
      expect((await video(u.fileId)).body.data).toMatchObject({ status: 'failed', failureReason: done.failureReason });
      // Not retried: the bytes will not change.
      const job = await eventually(
        async () => (await stack.queue.getJob(`process-${u.fileId}`))!,
        (j) => j.finishedOn !== undefined,
      );
      expect([await job.getState(), job.attemptsMade]).toEqual(['failed', 1]);
    });

    it('that is not 64 lowercase hex characters: init answers 400 naming the field', async () => {
      for (const bad of [sha256(clip).toUpperCase(), 'abc', `${sha256(clip)}0`, 42]) {
        const res = await stack.api.init({
          channel_id: '123',
          files: [{ filename: 'x.mp4', size: MiB, type: 'video/mp4', sha256: bad }],
        });
        expect(res.status).toBe(400);
        expect(res.body.error?.code).toBe('VALIDATION_FAILED');
        expect(failingFields(res.body.error).map((f) => f.field)).toEqual(['files.0.sha256']);
      }
    });
  });
});
