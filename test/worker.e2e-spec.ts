/**
 * The worker end to end (issue 3, tests 1 and 2): videos made by ffmpeg are uploaded through the API,
 * the built worker processes them over real storage (a folder served by the API, or radosgw), and the
 * results are read back through GET /api/v1/videos/:videoId, the database, storage and the queue.
 */
import { request } from 'undici';
import type { VideoDetailsDto } from '../apps/api/src/videos/dto/video-details.dto.js';
import { eventually, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';
import { initUpload, makePicture, makeVideo, probeImage, uploadFile } from './support/media.js';
import { DRIVERS, startStack, type Stack } from './support/stack.js';

describe.each(DRIVERS)('the worker on the %s driver', (driver) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ driver, worker: true });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const getVideo = (videoId: string) => stack.api.call<VideoDetailsDto>('GET', `/api/v1/videos/${videoId}`);
  async function settled(videoId: string): Promise<VideoDetailsDto> {
    const res = await eventually(
      () => getVideo(videoId),
      (r) => ['ready', 'failed'].includes(r.body.data?.status ?? ''),
      40_000,
    );
    expect(res.status).toBe(200);
    return res.body.data!;
  }

  it('test 1: a video becomes ready with the metadata it was made with, and a JPEG thumbnail', async () => {
    const bytes = await makeVideo({ seconds: 4, width: 1280, height: 720, fps: 25, audio: true });
    const { videoId } = await uploadFile(stack.api, bytes, { filename: 'clip.mp4', type: 'video/mp4' });
    const video = await settled(videoId);

    expect(video).toMatchObject({
      status: 'ready',
      failureReason: null,
      width: 1280,
      height: 720,
      videoCodec: 'h264',
      audioCodec: 'aac',
      container: 'mp4',
      sha256: sha256(bytes),
    });
    expect(video.durationSeconds).toBeCloseTo(4, 1);
    // The whole file's bitrate: its bits over its duration, give or take the container's overhead.
    expect(video.bitrate).toBeGreaterThan(0.9 * ((bytes.length * 8) / 4));
    expect(video.bitrate).toBeLessThan(1.1 * ((bytes.length * 8) / 4));
    expect(Date.parse(String(video.processedAt))).toBeGreaterThanOrEqual(Date.parse(String(video.processingStartedAt)));

    const thumbnail = await request(String(video.thumbnailUrl));
    expect(thumbnail.statusCode).toBe(200);
    const jpeg = Buffer.from(await thumbnail.body.arrayBuffer());
    expect(jpeg.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await probeImage(jpeg)).toEqual({ codec: 'mjpeg', width: 640, height: 360 });
    expect(Date.parse(String(video.thumbnailUrlExpiresAt))).toBeGreaterThan(Date.now());

    // Stored next to the video under a key the server made.
    const { rows } = await stack.db.query<{ storage_key: string; thumbnail_key: string | null }>(
      'SELECT storage_key, thumbnail_key FROM videos WHERE id = $1',
      [videoId],
    );
    expect(rows[0].thumbnail_key).toBe(`videos/${videoId}/thumbnail.jpg`);
    expect(rows[0].storage_key).toBe(`videos/${videoId}/source`);
    expect((await stack.storage.head(rows[0].thumbnail_key!))?.size).toBe(jpeg.length);
    // BullMQ marks the job completed a moment after the worker wrote `ready`.
    const job = await eventually(
      () => stack.queue.getJob(`process-${videoId}`),
      (j) => j?.finishedOn !== undefined,
    );
    expect(await job?.getState()).toBe('completed');
  });

  it('a ready video cannot be overwritten through the URL it was uploaded with', async () => {
    const bytes = await makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: false });
    const session = await initUpload(stack.api, bytes.length, { filename: 'kept.mp4', type: 'video/mp4' });
    expect(session).toMatchObject({ isChunked: false, totalChunks: 1 });
    expect((await putTo(session.presignedUrls[0], bytes)).status).toBe(200);
    expect((await stack.api.complete(session.uploadId)).status).toBe(200);
    const video = await settled(session.fileId);
    expect(video).toMatchObject({ status: 'ready', sha256: sha256(bytes) });

    const overwrite = await putTo(session.presignedUrls[0], randomFile(bytes.length));
    expect(overwrite.status).toBeGreaterThanOrEqual(400);
    expect(overwrite.status).toBeLessThan(500);
    expect(await sha256OfStream(await stack.storage.readRange(`videos/${session.fileId}/source`, 0))).toBe(
      sha256(bytes),
    );
    expect((await getVideo(session.fileId)).body.data).toMatchObject({ status: 'ready', sha256: sha256(bytes) });
  });

  it('a silent video narrower than 640 px keeps its width and has no audio codec', async () => {
    const bytes = await makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: false });
    const { videoId } = await uploadFile(stack.api, bytes, { filename: 'small.mp4', type: 'video/mp4' });
    const video = await settled(videoId);
    expect(video).toMatchObject({ status: 'ready', width: 320, height: 240, audioCodec: null, videoCodec: 'h264' });
    const jpeg = Buffer.from(await (await request(String(video.thumbnailUrl))).body.arrayBuffer());
    expect(await probeImage(jpeg)).toMatchObject({ width: 320, height: 240 });
  });

  it('test 2: a file that is not a video (declared video/mp4) fails with a reason and is not retried', async () => {
    const bytes = Buffer.from('This is a text file, not a video.\n'.repeat(5000));
    const { videoId } = await uploadFile(stack.api, bytes, { filename: 'notes.mp4', type: 'video/mp4' });
    const video = await settled(videoId);
    expect(video.status).toBe('failed');
    expect(video.failureReason).toMatch(/not a video/);
    expect(video.thumbnailUrl).toBeNull();

    // The worker records the failure on the video, then BullMQ moves the job to failed: read the job after that.
    const failed = async () => {
      const job = (await stack.queue.getJob(`process-${videoId}`))!;
      return { job, state: await job.getState() };
    };
    const { job, state } = await eventually(failed, (j) => j.state === 'failed' && j.job.finishedOn !== undefined);
    expect(state).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe(video.failureReason);
    // The queue's backoff would retry after 5 s; nothing is waiting to run it again.
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await stack.queue.getJob(`process-${videoId}`))!;
    expect([await again.getState(), again.attemptsMade]).toEqual(['failed', 1]);
  });

  it('a picture declared as a video fails: it is an image, not a video container', async () => {
    const { videoId } = await uploadFile(stack.api, await makePicture(640, 480), {
      filename: 'photo.mp4',
      type: 'video/mp4',
    });
    const video = await settled(videoId);
    expect(video.status).toBe('failed');
    expect(video.failureReason).toMatch(/not a video: it was detected as png_pipe/);
  });

  it('a job that runs again after the video is ready leaves the one result alone', async () => {
    const bytes = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    const { videoId } = await uploadFile(stack.api, bytes, { filename: 'again.mp4', type: 'video/mp4' });
    await settled(videoId);
    const before = await stack.db.query('SELECT * FROM videos WHERE id = $1', [videoId]);
    const job = await stack.queue.add('process', { videoId }, { jobId: `again-${videoId}` });
    const state = await eventually(
      () => job.getState(),
      (s) => s === 'completed' || s === 'failed',
    );
    expect(state).toBe('completed');
    expect((await stack.queue.getJob(job.id!))?.returnvalue).toEqual({ videoId, status: 'ready' });
    const after = await stack.db.query('SELECT * FROM videos WHERE id = $1', [videoId]);
    expect(after.rows).toEqual(before.rows);
  });

  it('answers 404 for an unknown video and 400 for an id that is not a UUID', async () => {
    const missing = await getVideo('00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'VIDEO_NOT_FOUND' } });
    const bad = await getVideo('not-a-uuid');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ success: false, error: { code: 'VALIDATION_FAILED' } });
  });
});
