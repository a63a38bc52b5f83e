import { ALICE, fileOf, type Harness, startHarness } from '../../test/harness.js';

describe('RequeueUnprocessedVideos', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const STALE_MS = 60_000;
  const requeue = () => h.requeueUnprocessedVideos.execute({ processingStaleAfterMs: STALE_MS });

  async function completedVideo(): Promise<string> {
    const file = fileOf(1000);
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'v.mp4', size: file.length, type: 'video/mp4' }],
    });
    await h.storage.request('PUT', u.presignedUrls[0], file);
    return (await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' })).id;
  }

  it('queues again the uploaded videos whose job was lost, and only those, once', async () => {
    const lost = await completedVideo();
    const queued = await completedVideo();
    h.queue.jobs.delete(lost); // Redis lost the job; the other one's is still there.
    h.queue.enqueued.length = 0;

    expect(await requeue()).toEqual({ requeued: 1 });
    expect(h.queue.enqueued).toEqual([lost]);
    expect(queued).not.toBe(lost);
    expect(await requeue()).toEqual({ requeued: 0 });
  });

  it('leaves a processing video alone while a run may still be going, then queues it again', async () => {
    const id = await completedVideo();
    h.queue.jobs.delete(id);
    h.queue.enqueued.length = 0;
    await h.db.query(`UPDATE videos SET status = 'processing' WHERE id = $1`, [id]);
    expect(await requeue()).toEqual({ requeued: 0 });

    await h.db.query(`UPDATE videos SET updated_at = now() - interval '61 seconds' WHERE id = $1`, [id]);
    expect(await requeue()).toEqual({ requeued: 1 });
    expect(h.queue.enqueued).toEqual([id]);
  });

  it('never queues a ready or failed video', async () => {
    const ready = await completedVideo();
    const failed = await completedVideo();
    for (const id of [ready, failed]) h.queue.jobs.delete(id);
    await h.db.query(`UPDATE videos SET status = 'ready' WHERE id = $1`, [ready]);
    await h.db.query(`UPDATE videos SET status = 'failed' WHERE id = $1`, [failed]);
    expect(await requeue()).toEqual({ requeued: 0 });
  });
});
