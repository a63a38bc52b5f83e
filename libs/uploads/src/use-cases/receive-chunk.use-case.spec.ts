import { jest } from '@jest/globals';
import { PassThrough, Readable } from 'node:stream';
import { ALICE, chunkOf, errorCodeOf, fileOf, type Harness, MiB, startHarness } from '../../test/harness.js';
import { UploadError, UploadErrorCode } from '../upload-error.js';
import type { InitializedUpload } from './init-batch.use-case.js';

describe('ReceiveChunk', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxChunkSize: 6 * MiB });
  });
  afterAll(() => h?.close());

  const file = fileOf(12 * MiB + 7);
  const init = async (size = file.length): Promise<InitializedUpload> =>
    (await h.initBatch.execute({ uploader: ALICE, channelId: '1', files: [{ filename: 'a.mp4', size }] }))[0];
  const send = (u: InitializedUpload, chunkIndex: number, bytes: Buffer, ownerId = 'alice') =>
    h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId,
      chunkIndex,
      body: { stream: Readable.from([bytes]), declaredLength: bytes.length },
    });
  const partsOf = async (u: InitializedUpload) => {
    const session = (await h.repository.findOwnedSession(u.uploadId, 'alice'))!;
    return h.storage.listParts(session.storageKey, session.multipartUploadId);
  };

  it('streams each chunk to its part and counts it; sending a chunk again replaces it', async () => {
    const u = await init();
    expect(await send(u, 0, fileOf(5 * MiB))).toMatchObject({
      chunkIndex: 0,
      size: 5 * MiB,
      completedCount: 1,
      totalChunks: 3,
    });
    for (let i = 0; i < 3; i++) await send(u, i, chunkOf(file, u.chunkSize, i));
    const parts = await partsOf(u);
    expect(parts.map((p) => [p.partNumber, p.size])).toEqual([
      [1, 5 * MiB],
      [2, 5 * MiB],
      [3, 2 * MiB + 7],
    ]);
    expect(await h.progress.get(u.uploadId)).toMatchObject({ completedCount: 3, progress: 100, status: 'uploading' });
  });

  it('refuses a chunk of the wrong length before reading it, an index past the last, and a chunk over the cap', async () => {
    const u = await init();
    expect(await errorCodeOf(send(u, 0, fileOf(5 * MiB - 1)))).toBe('CHUNK_LENGTH_MISMATCH');
    expect(await errorCodeOf(send(u, 3, fileOf(10)))).toBe('CHUNK_INDEX_OUT_OF_RANGE');
    expect(await partsOf(u)).toEqual([]);
    // A file of 6 MiB goes whole: its one chunk is over the chunk route's cap of 6 MiB - 1.
    const h2 = await startHarness({ maxChunkSize: 6 * MiB - 1 });
    try {
      const [whole] = await h2.initBatch.execute({
        uploader: ALICE,
        channelId: '1',
        files: [{ filename: 'w.mp4', size: 6 * MiB }],
      });
      const sent = h2.receiveChunk.execute({
        uploadId: whole.uploadId,
        ownerId: 'alice',
        chunkIndex: 0,
        body: { stream: Readable.from([fileOf(6 * MiB)]) },
      });
      expect(await sent.catch((e: unknown) => e)).toMatchObject({
        code: 'CHUNK_TOO_LARGE',
        details: { limit: 6 * MiB - 1 },
      });
    } finally {
      await h2.close();
    }
  });

  it('a body that ends early fails the chunk: it shows in failedChunks and storage keeps nothing of it', async () => {
    const u = await init();
    const short = h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId: 'alice',
      chunkIndex: 1,
      body: { stream: Readable.from([fileOf(MiB)]) },
    });
    expect(await errorCodeOf(short)).toBe('CHUNK_LENGTH_MISMATCH');
    expect(await h.progress.get(u.uploadId)).toMatchObject({ status: 'failed', failedChunks: [1] });
    expect(await partsOf(u)).toEqual([]);
  });

  it('answers UPLOAD_NOT_FOUND for another user, UPLOAD_COMPLETED after complete, UPLOAD_EXPIRED after expiry', async () => {
    const u = await init(MiB);
    expect(await errorCodeOf(send(u, 0, fileOf(MiB), 'mallory'))).toBe('UPLOAD_NOT_FOUND');
    await send(u, 0, fileOf(MiB));
    await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' });
    expect(await errorCodeOf(send(u, 0, fileOf(MiB)))).toBe('UPLOAD_COMPLETED');

    const late = await init(MiB);
    await h.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      late.uploadId,
    ]);
    expect(await errorCodeOf(send(late, 0, fileOf(MiB)))).toBe('UPLOAD_EXPIRED');
  });
});

describe('ReceiveChunk under faults', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxChunkSize: 6 * MiB });
  });
  afterAll(() => h?.close());

  const file = fileOf(11 * MiB);
  const initStored = async (stored = true): Promise<InitializedUpload> => {
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'a.mp4', size: file.length }],
    });
    for (let i = 0; stored && i < u.totalChunks; i++) {
      const bytes = chunkOf(file, u.chunkSize, i);
      const body = { stream: Readable.from([bytes]), declaredLength: bytes.length };
      await h.receiveChunk.execute({ uploadId: u.uploadId, ownerId: 'alice', chunkIndex: i, body });
    }
    return u;
  };

  it('refuses with UPLOAD_COMPLETED a chunk whose upload completed while it streamed', async () => {
    const u = await initStored();
    const bytes = chunkOf(file, u.chunkSize, 0);
    const stream = new PassThrough();
    const sent = h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId: 'alice',
      chunkIndex: 0,
      body: { stream, declaredLength: bytes.length },
    });
    const outcome = errorCodeOf(sent);
    stream.write(bytes.subarray(0, MiB));
    // Complete only once storage reads the chunk: it is then on its way, not refused up front.
    for (let waited = 0; stream.readableLength > 0 && waited < 5_000; waited += 5)
      await new Promise((resolve) => setTimeout(resolve, 5));
    expect(stream.readableLength).toBe(0);
    await h.completeUpload.execute({ uploadId: u.uploadId, ownerId: 'alice' });
    stream.end(bytes.subarray(MiB));
    expect(await outcome).toBe('UPLOAD_COMPLETED');
  });

  it('answers the error its front door failed the body with, marks the chunk failed and lets it drop the rest', async () => {
    const u = await initStored(false);
    const stream = new PassThrough();
    const discard = jest.fn(() => Promise.resolve());
    const sent = h.receiveChunk.execute({
      uploadId: u.uploadId,
      ownerId: 'alice',
      chunkIndex: 1,
      body: { stream, declaredLength: u.chunkSize, discard },
    });
    stream.write(fileOf(MiB));
    setTimeout(() => stream.destroy(new UploadError(UploadErrorCode.RequestTimeout, 'idle')), 20);
    expect(await errorCodeOf(sent)).toBe('REQUEST_TIMEOUT');
    expect(discard).toHaveBeenCalledTimes(1);
    expect(await h.progress.get(u.uploadId)).toMatchObject({ status: 'failed', failedChunks: [1] });
  });
});
