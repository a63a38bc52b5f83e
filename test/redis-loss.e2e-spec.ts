/**
 * PostgreSQL and storage are the truth; Redis may be lost (issue 16, items 1 to 4), on the s3 driver:
 * - every route answers 410 UPLOAD_EXPIRED for an upload past its expiry that no cleanup has handled;
 * - after the deployment's Redis keys are lost, the cleanup schedule comes back by itself;
 * - a video whose processing job was lost (queued, or between two attempts) gets one again and is
 *   processed once, with two workers looking;
 * - a multipart upload that no session records (an init killed between storage and the database) is
 *   aborted once it is older than UPLOAD_ORPHAN_GRACE_SECONDS, while live uploads are left alone.
 * "Losing Redis" deletes every key of the stack's own prefix, never anything else on the shared Redis.
 */
import { randomUUID } from 'node:crypto';
import { SOURCE_KEY_PREFIX, sourceKey } from '#uploads';
import { chunkOf, eventually, putTo, randomFile } from './support/files.js';
import { initUpload, makeVideo, uploadFile } from './support/media.js';
import { deleteDeploymentKeys, MiB, startStack, type Stack } from './support/stack.js';

const video = (filename: string) => ({ filename, type: 'video/mp4' });
const CLEANUP = { WORKER_CLEANUP_INTERVAL_SECONDS: '1', LOG_LEVEL: 'log' };

async function videoStatus(stack: Stack, videoId: string): Promise<string> {
  const { rows } = await stack.db.query<{ status: string }>('SELECT status FROM videos WHERE id = $1', [videoId]);
  return rows[0]?.status ?? 'missing';
}

async function sessionState(stack: Stack, uploadId: string): Promise<string> {
  const { rows } = await stack.db.query<{ state: string }>('SELECT state FROM upload_sessions WHERE id = $1', [
    uploadId,
  ]);
  return rows[0].state;
}

/** How many times a worker finished processing this video, from the workers' own log lines. */
const readyRuns = (stack: Stack, videoId: string) =>
  stack
    .logs()
    .split('\n')
    .filter((line) => line.includes(`video ${videoId} ready`)).length;

describe('an upload past its expiry that no cleanup has handled yet', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 's3' });
  });
  afterAll(async () => stack?.stop());

  it('answers 410 UPLOAD_EXPIRED from progress, chunk, retry and complete', async () => {
    const file = randomFile(11 * MiB);
    const u = await initUpload(stack.api, file.length, video('late.mp4'));
    expect((await putTo(u.presignedUrls[0], chunkOf(file, u.chunkSize, 0))).status).toBe(200);
    // Its time ran out (as if UPLOAD_SESSION_TTL_SECONDS had passed): its Redis keys expire at that
    // moment too (PEXPIREAT). No worker runs, so nothing has cleaned it up.
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      u.uploadId,
    ]);
    const keys = await stack.redis.keys(`${stack.redisPrefix}up:{${u.uploadId}}*`);
    expect(keys.length).toBeGreaterThan(0);
    await stack.redis.del(...keys);
    const answers = [
      await stack.api.progress(u.uploadId),
      await stack.api.chunkRaw(u.uploadId, 1, chunkOf(file, u.chunkSize, 1)),
      await stack.api.retry(u.uploadId),
      await stack.api.complete(u.uploadId),
      await stack.api.progress(u.uploadId),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(410);
      expect(answer.body).toMatchObject({ success: false, error: { code: 'UPLOAD_EXPIRED' } });
    }
    expect(await sessionState(stack, u.uploadId)).toBe('open');
  });
});

describe('losing the Redis keys of the deployment', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      driver: 's3',
      // A processing run is at most 3 media timeouts and a lock: 16 s here, so a lost `processing`
      // video is taken up again soon after.
      env: { WORKER_MEDIA_TIMEOUT_SECONDS: '5', WORKER_LOCK_DURATION_MS: '1000', UPLOAD_ORPHAN_GRACE_SECONDS: '5' },
    });
  });
  afterAll(async () => stack?.stop());

  it('processes, once, the videos whose jobs were lost before any worker ran', async () => {
    const clip = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    const first = await uploadFile(stack.api, clip, video('queued-then-lost-1.mp4'));
    const second = await uploadFile(stack.api, clip, video('queued-then-lost-2.mp4'));
    expect(await stack.queue.getJobCounts('waiting')).toEqual({ waiting: 2 });

    expect(await deleteDeploymentKeys(stack.redis, stack.redisPrefix)).toBeGreaterThan(0);
    expect(await stack.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
    await Promise.all([stack.startWorker(CLEANUP), stack.startWorker(CLEANUP)]);

    for (const { videoId } of [first, second]) {
      expect(
        await eventually(
          () => videoStatus(stack, videoId),
          (s) => s === 'ready',
          30_000,
        ),
      ).toBe('ready');
    }
    // Two workers, each running the cleanup every second for a while: still one run per video.
    await new Promise((r) => setTimeout(r, 3_000));
    for (const { videoId } of [first, second]) expect(readyRuns(stack, videoId)).toBe(1);
    expect(stack.logs()).toMatch(/videos had lost their processing job and were queued again/);
  }, 60_000);

  it('takes up a video left `processing` by a loss between two attempts, once no run can still be going', async () => {
    const clip = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    // The workers run: the video is processed; then it is put back as a loss between retries leaves it.
    const { videoId } = await uploadFile(stack.api, clip, video('between-attempts.mp4'));
    expect(
      await eventually(
        () => videoStatus(stack, videoId),
        (s) => s === 'ready',
        30_000,
      ),
    ).toBe('ready');
    await stack.db.query(
      `UPDATE videos SET status = 'processing', processed_at = NULL, updated_at = now() - interval '10 seconds' WHERE id = $1`,
      [videoId],
    );
    await deleteDeploymentKeys(stack.redis, stack.redisPrefix);

    expect(
      await eventually(
        () => videoStatus(stack, videoId),
        (s) => s === 'ready',
        40_000,
      ),
    ).toBe('ready');
    expect(readyRuns(stack, videoId)).toBe(2); // the first processing, and the one after the loss
    // The job is marked completed just after its handler wrote `ready`: wait for BullMQ's record too.
    const [job] = await eventually(
      () => stack.queue.getJobs(['completed']),
      (jobs) => jobs.length > 0,
      10_000,
    );
    expect(job?.data).toEqual({ videoId });
  }, 60_000);

  it('schedules the cleanup again by itself: an upload abandoned after the loss is cleaned', async () => {
    const restored = () => stack.logs().match(/cleanup schedule was missing from Redis/g)?.length ?? 0;
    const restoredBefore = restored();
    await deleteDeploymentKeys(stack.redis, stack.redisPrefix);
    const file = randomFile(11 * MiB);
    const u = await initUpload(stack.api, file.length, video('abandoned-after-the-loss.mp4'));
    expect((await putTo(u.presignedUrls[0], chunkOf(file, u.chunkSize, 0))).status).toBe(200);
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      u.uploadId,
    ]);
    expect(
      await eventually(
        () => sessionState(stack, u.uploadId),
        (s) => s === 'expired',
        30_000,
      ),
    ).toBe('expired');
    expect(restored()).toBeGreaterThan(restoredBefore);
  }, 60_000);

  it('aborts the multipart uploads no session records, past the grace time, and only those', async () => {
    // What an API killed between CreateMultipartUpload and its database write leaves behind.
    const orphans = await Promise.all(
      [randomUUID(), randomUUID()].map(async (fileId) => {
        const key = sourceKey(fileId);
        return { key, id: await stack.storage.createMultipart(key, 'video/mp4') };
      }),
    );
    const live = await initUpload(stack.api, 11 * MiB, video('still-uploading.mp4'));
    const listed = async () =>
      (await stack.storage.listMultipartUploads(SOURCE_KEY_PREFIX)).map((u) => u.multipartUploadId);
    expect(await listed()).toEqual(expect.arrayContaining(orphans.map((o) => o.id)));

    const left = await eventually(listed, (ids) => !orphans.some((o) => ids.includes(o.id)), 30_000);
    expect(left.filter((id) => orphans.some((o) => o.id === id))).toEqual([]);
    const { rows } = await stack.db.query<{ multipart_upload_id: string }>(
      'SELECT multipart_upload_id FROM upload_sessions WHERE id = $1',
      [live.uploadId],
    );
    expect(left).toContain(rows[0].multipart_upload_id);
    // The worker logs the count once its aborts are done: the line may reach this process a moment after
    // storage stopped listing them.
    const logs = await eventually(
      () => Promise.resolve(stack.logs()),
      (text) => /orphan multipart uploads aborted/.test(text),
      10_000,
    );
    expect(logs).toMatch(/orphan multipart uploads aborted/);
  }, 60_000);
});
