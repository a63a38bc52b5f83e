import { Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, SETTINGS, startHarness } from '../../test/harness.js';
import { StartClientSizedUpload } from './start-client-sized-upload.use-case.js';
import type { InitializedUpload } from './init-batch.use-case.js';

describe('CompleteBatch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const big = fileOf(12 * MiB + 7); // 3 chunks of 5 MiB
  const small = fileOf(MiB);
  const init = () =>
    h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [
        { filename: 'big.mp4', size: big.length },
        { filename: 'small.mp4', size: small.length },
        { filename: 'gone.mp4', size: small.length },
      ],
    });
  const put = async (u: InitializedUpload, file: Buffer, index: number) =>
    expect((await h.storage.request('PUT', u.presignedUrls[index], chunkOf(file, u.chunkSize, index))).status).toBe(
      200,
    );
  const completeAll = (batchId: string, ownerId = 'alice') => h.completeBatch.execute({ batchId, ownerId });

  it('completes the files whose chunks are stored, names the missing chunks of the others, and is idempotent', async () => {
    const [b, s, g] = await init();
    await put(b, big, 0);
    await put(b, big, 2);
    await put(s, small, 0);
    await h.abortUpload.execute({ uploadId: g.uploadId, ownerId: 'alice' });

    const first = await completeAll(b.batchId);
    expect(first).toMatchObject({
      batchId: b.batchId,
      completed: false,
      files: [
        { uploadId: b.uploadId, outcome: 'missing_chunks', missingChunks: [1], totalChunks: 3 },
        { uploadId: s.uploadId, outcome: 'completed', video: { id: s.fileId, status: 'uploaded' } },
        { uploadId: g.uploadId, outcome: 'failed', error: { code: 'UPLOAD_ABORTED' } },
      ],
    });
    // The missing chunk is failed, so that retry covers it.
    expect((await h.progress.get(b.uploadId))?.failedChunks).toEqual([1]);

    const again = await completeAll(b.batchId);
    expect(again.files.map((f) => f.outcome)).toEqual(['missing_chunks', 'completed', 'failed']);
    expect(again.files[1]).toMatchObject({ video: { id: s.fileId } });
    expect(await h.count(`SELECT count(*)::int AS n FROM videos WHERE upload_id = $1`, [s.uploadId])).toBe(1);

    await put(b, big, 1);
    const last = await completeAll(b.batchId);
    expect(last.files[0]).toMatchObject({ outcome: 'completed', video: { id: b.fileId, size: big.length } });
    expect(last.files[1]).toMatchObject({ outcome: 'completed', video: { id: s.fileId } });
  });

  it('answers completed: true once every file has its video', async () => {
    const [b, s, g] = await init();
    for (const i of [0, 1, 2]) await put(b, big, i);
    await put(s, small, 0);
    await put(g, small, 0);
    await h.completeUpload.execute({ uploadId: s.uploadId, ownerId: 'alice' });
    const done = await completeAll(b.batchId);
    expect(done.completed).toBe(true);
    expect(done.files.map((f) => f.outcome)).toEqual(['completed', 'completed', 'completed']);
  });

  it("answers BATCH_NOT_FOUND for someone else's batch and completes nothing of it", async () => {
    const [b, s] = await init();
    await put(s, small, 0);
    expect(await errorCodeOf(completeAll(b.batchId, 'mallory'))).toBe('BATCH_NOT_FOUND');
    expect(await h.count(`SELECT count(*)::int AS n FROM videos WHERE upload_id = $1`, [s.uploadId])).toBe(0);
  });

  it('leaves an open Uppy upload to its client (its part list), and answers its video once it completed', async () => {
    const start = new StartClientSizedUpload(SETTINGS, h.repository, h.storage, h.progress);
    const session = await start.execute({ uploader: ALICE, channelId: '1', filename: 'uppy.mp4' });
    const part = fileOf(MiB);
    await h.storage.uploadPart(session.storageKey, session.multipartUploadId, 1, Readable.from([part]), part.length);
    expect(await completeAll(session.batchId)).toMatchObject({
      completed: false,
      files: [{ outcome: 'failed', error: { code: 'WRONG_UPLOAD_ROUTE' } }],
    });
    expect(await h.repository.findVideoByUploadId(session.id)).toBeNull();
    await h.completeUpload.execute({ uploadId: session.id, ownerId: 'alice' });
    expect(await completeAll(session.batchId)).toMatchObject({
      completed: true,
      files: [{ outcome: 'completed', video: { id: session.fileId, size: part.length } }],
    });
  });
});
