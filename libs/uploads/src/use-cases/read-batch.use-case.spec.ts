import { Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, SETTINGS, startHarness } from '../../test/harness.js';
import type { InitializedUpload } from './init-batch.use-case.js';
import { StartClientSizedUpload } from './start-client-sized-upload.use-case.js';

describe('ReadBatch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  const big = fileOf(12 * MiB + 7); // 3 chunks of 5 MiB
  const small = fileOf(MiB); // sent whole
  const init = () =>
    h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [
        { filename: 'big.mp4', size: big.length },
        { filename: 'small.mp4', size: small.length },
      ],
    });
  const put = async (u: InitializedUpload, file: Buffer, index: number) =>
    expect((await h.storage.request('PUT', u.presignedUrls[index], chunkOf(file, u.chunkSize, index))).status).toBe(
      200,
    );
  const read = (batchId: string, ownerId = 'alice') => h.readBatch.execute({ batchId, ownerId });

  it("adds up the files' figures in init's order while uploading, after one completes and after all", async () => {
    const [b, s] = await init();
    expect(await read(b.batchId)).toMatchObject({
      batchId: b.batchId,
      channelId: '1',
      state: 'uploading',
      bytesStored: 0,
      bytesTotal: big.length + small.length,
      progress: 0,
      files: [
        { uploadId: b.uploadId, filename: 'big.mp4', status: 'initialized', size: big.length, totalChunks: 3 },
        { uploadId: s.uploadId, filename: 'small.mp4', status: 'initialized', size: small.length, totalChunks: 1 },
      ],
    });

    await put(b, big, 0);
    await put(s, small, 0);
    await h.completeUpload.execute({ uploadId: s.uploadId, ownerId: 'alice' });
    const half = await read(b.batchId);
    expect(half).toMatchObject({
      state: 'uploading',
      bytesStored: 5 * MiB + small.length,
      progress: Math.floor(((5 * MiB + small.length) * 100) / (big.length + small.length)),
    });
    expect(half.files[0]).toMatchObject({
      status: 'uploading',
      completedCount: 1,
      bytesStored: 5 * MiB,
      storedChunks: '0',
    });
    expect(half.files[1]).toMatchObject({
      status: 'completed',
      progress: 100,
      videoId: s.fileId,
      videoStatus: 'uploaded',
      bytesStored: small.length,
    });

    await put(b, big, 1);
    await put(b, big, 2);
    await h.completeUpload.execute({ uploadId: b.uploadId, ownerId: 'alice' });
    expect(await read(b.batchId)).toMatchObject({
      state: 'completed',
      bytesStored: big.length + small.length,
      progress: 100,
      files: [
        { status: 'completed', videoId: b.fileId },
        { status: 'completed', videoId: s.fileId },
      ],
    });
  });

  it('is partially_failed when a file was aborted and the others completed; aborted files count in no figure', async () => {
    const [b, s] = await init();
    await put(s, small, 0);
    await h.abortUpload.execute({ uploadId: b.uploadId, ownerId: 'alice' });
    expect(await read(b.batchId)).toMatchObject({ state: 'uploading', bytesTotal: small.length });
    await h.completeUpload.execute({ uploadId: s.uploadId, ownerId: 'alice' });
    expect(await read(b.batchId)).toMatchObject({
      state: 'partially_failed',
      bytesStored: small.length,
      bytesTotal: small.length,
      progress: 100,
      files: [
        { status: 'aborted', bytesStored: 0, progress: 0 },
        { status: 'completed', progress: 100 },
      ],
    });
  });

  it('says expired for files past their expiry, whether or not the cleanup ran', async () => {
    const [b] = await init();
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE batch_id = $1`, [
      b.batchId,
    ]);
    expect(await read(b.batchId)).toMatchObject({
      state: 'expired',
      bytesTotal: 0,
      progress: 0,
      files: [{ status: 'expired' }, { status: 'expired' }],
    });
    await h.expireUploads.execute();
    expect(await read(b.batchId)).toMatchObject({ state: 'expired' });
  });

  it("answers BATCH_NOT_FOUND for someone else's batch, exactly as for an unknown one", async () => {
    const [b] = await init();
    expect(await errorCodeOf(read(b.batchId, 'mallory'))).toBe('BATCH_NOT_FOUND');
    expect(await errorCodeOf(read('6f1c1c1e-0000-4000-8000-000000000000'))).toBe('BATCH_NOT_FOUND');
  });

  it("keeps an Uppy upload's batch honest: its size and the batch's total are unknown until it completes", async () => {
    const start = new StartClientSizedUpload(SETTINGS, h.repository, h.storage, h.progress);
    const session = await start.execute({ uploader: ALICE, channelId: '1', filename: 'uppy.mp4' });
    const part = fileOf(5 * MiB);
    await h.storage.uploadPart(session.storageKey, session.multipartUploadId, 1, Readable.from([part]), part.length);
    expect(await read(session.batchId)).toMatchObject({
      state: 'uploading',
      bytesStored: part.length,
      bytesTotal: null,
      progress: null,
      files: [{ uploadId: session.id, size: null, totalChunks: 0, bytesStored: part.length, status: 'uploading' }],
    });
    await h.completeUpload.execute({ uploadId: session.id, ownerId: 'alice' });
    expect(await read(session.batchId)).toMatchObject({
      state: 'completed',
      bytesStored: part.length,
      bytesTotal: part.length,
      progress: 100,
      files: [{ size: part.length, totalChunks: 1, status: 'completed', videoId: session.fileId }],
    });
  });
});
