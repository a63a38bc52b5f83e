import { Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';
import type { LoggedBatchEvent } from '../events/batch-event.js';
import type { InitializedUpload } from './init-batch.use-case.js';

describe('WatchBatch and the events the use cases tell', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const init = (...sizes: number[]): Promise<InitializedUpload[]> =>
    h.initBatch.execute({
      uploader: ALICE,
      channelId: '9',
      files: sizes.map((size, i) => ({ filename: `f${i}.mp4`, size, type: 'video/mp4' })),
    });
  const chunk = (u: InitializedUpload, file: Buffer, i: number) => {
    const bytes = chunkOf(file, u.chunkSize, i);
    return h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId: 'alice',
      chunkIndex: i,
      body: { stream: Readable.from([bytes]), declaredLength: bytes.length },
    });
  };
  const types = (batchId: string) => h.events.events(batchId).map((e) => e.type);

  /** The events a watch yields until `count` came (or 2 s passed). */
  async function take(watch: { events(signal: AbortSignal): AsyncGenerator<LoggedBatchEvent> }, count: number) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 2_000);
    const taken: LoggedBatchEvent[] = [];
    for await (const e of watch.events(controller.signal)) if (taken.push(e) >= count) break;
    clearTimeout(timer);
    return taken;
  }

  it('tells one progress event per chunk, then the completion, and batch.completed once the last file ends', async () => {
    const file = fileOf(11 * MiB);
    const [a, b] = await init(file.length, MiB);
    for (let i = 0; i < a.totalChunks; i++) await chunk(a, file, i);
    await new Promise((r) => setImmediate(r)); // the chunk route does not wait for its event
    expect(types(a.batchId)).toEqual(['progress', 'progress', 'progress']);
    expect(h.events.events(a.batchId).at(-1)).toMatchObject({ uploadId: a.uploadId, progress: 100, completedCount: 3 });

    await h.completeUpload.execute({ uploadId: a.uploadId, ownerId: 'alice' });
    expect(types(a.batchId).slice(3)).toEqual(['progress', 'upload.completed']);
    await h.abortUpload.execute({ uploadId: b.uploadId, ownerId: 'alice' });
    await h.completeUpload.execute({ uploadId: a.uploadId, ownerId: 'alice' }); // again: nothing new
    expect(types(a.batchId).slice(5)).toEqual(['upload.aborted', 'batch.completed']);
    expect(h.events.events(a.batchId).at(-1)).toMatchObject({
      uploads: expect.arrayContaining([
        { uploadId: a.uploadId, filename: 'f0.mp4', state: 'completed', videoId: a.fileId },
        { uploadId: b.uploadId, filename: 'f1.mp4', state: 'aborted', videoId: null },
      ]) as unknown,
    });
    // Webhooks get only their kinds.
    expect(h.webhooks.dispatched.filter((d) => d.event.batchId === a.batchId).map((d) => d.event.type)).toEqual([
      'upload.completed',
      'batch.completed',
    ]);
  });

  it('tells batch.completed when the last open file expires rather than completes', async () => {
    const file = fileOf(MiB);
    const [a, b] = await init(MiB, MiB);
    expect((await h.storage.request('PUT', a.presignedUrls[0], file)).status).toBe(200);
    await h.completeUpload.execute({ uploadId: a.uploadId, ownerId: 'alice' });
    expect(types(a.batchId)).not.toContain('batch.completed');
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [b.uploadId]);
    await h.expireUploads.execute();
    expect(h.events.events(a.batchId).filter((e) => e.type === 'batch.completed')).toEqual([
      expect.objectContaining({
        uploads: expect.arrayContaining([
          expect.objectContaining({ uploadId: a.uploadId, state: 'completed' }),
          expect.objectContaining({ uploadId: b.uploadId, state: 'expired' }),
        ]) as unknown,
      }),
    ]);
  });

  it('replays from the start or after an id, for the batch or one upload, and learns of parts PUT to storage', async () => {
    const file = fileOf(MiB);
    const [a, b] = await init(MiB, MiB);
    await chunk(a, file, 0);
    await new Promise((r) => setImmediate(r));
    const watch = await h.watchBatch.open({ ownerId: 'alice', batchId: a.batchId });
    // b's part goes straight to storage: the watch finds it there.
    expect((await h.storage.request('PUT', b.presignedUrls[0], file)).status).toBe(200);
    const all = await take(watch, 2);
    expect(all.map((e) => [e.event.type, e.event.type === 'progress' && e.event.uploadId])).toEqual([
      ['progress', a.uploadId],
      ['progress', b.uploadId],
    ]);
    const after = await h.watchBatch.open({ ownerId: 'alice', batchId: a.batchId, after: all[0].id });
    expect((await take(after, 1)).map((e) => e.id)).toEqual([all[1].id]);
    const onlyB = await h.watchBatch.open({ ownerId: 'alice', uploadId: b.uploadId });
    expect(onlyB.batchId).toBe(a.batchId);
    expect((await take(onlyB, 1)).map((e) => e.id)).toEqual([all[1].id]);
  });

  it('refuses another owner, an unknown batch and a malformed Last-Event-ID', async () => {
    const [a] = await init(MiB);
    expect(await errorCodeOf(h.watchBatch.open({ ownerId: 'bob', batchId: a.batchId }))).toBe('BATCH_NOT_FOUND');
    expect(await errorCodeOf(h.watchBatch.open({ ownerId: 'bob', uploadId: a.uploadId }))).toBe('UPLOAD_NOT_FOUND');
    expect(await errorCodeOf(h.watchBatch.open({ ownerId: 'alice', batchId: a.fileId }))).toBe('BATCH_NOT_FOUND');
    expect(await errorCodeOf(h.watchBatch.open({ ownerId: 'alice', batchId: a.batchId, after: '12; DROP' }))).toBe(
      'VALIDATION_FAILED',
    );
  });
});
