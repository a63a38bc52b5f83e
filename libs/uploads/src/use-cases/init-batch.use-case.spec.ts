import { ALICE, errorCodeOf, type Harness, MiB, startHarness } from '../../test/harness.js';

describe('InitBatch', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ maxOpenSessionsPerUser: 6 });
  });
  afterAll(() => h?.close());

  const files = [
    { filename: 'small.mp4', size: 1 * MiB + 3, type: 'video/mp4' },
    { filename: 'big.MKV', size: 12 * MiB + 7 },
  ];

  it('makes every file a multipart upload: the small one of one part, the big one of 5 MiB parts', async () => {
    const [small, big] = await h.initBatch.execute({ uploader: ALICE, channelId: '123', files });
    expect(small).toMatchObject({
      isChunked: false,
      chunkSize: 1 * MiB + 3,
      totalChunks: 1,
      contentType: 'video/mp4',
      status: 'initialized',
    });
    expect(big).toMatchObject({ isChunked: true, chunkSize: 5 * MiB, totalChunks: 3, contentType: 'video/x-matroska' });
    expect(small.presignedUrls).toHaveLength(1);
    expect(big.presignedUrls).toHaveLength(3);
    expect(small.batchId).toBe(big.batchId);

    for (const upload of [small, big]) {
      const session = await h.repository.findOwnedSession(upload.uploadId, 'alice');
      expect(session).toMatchObject({
        state: 'open',
        storageKey: `videos/${upload.fileId}/source`,
        totalChunks: upload.totalChunks,
      });
      // The session's multipart upload exists in storage, under its key, with the declared type.
      expect(h.storage.uploads.get(session!.multipartUploadId)).toMatchObject({
        key: session!.storageKey,
        contentType: upload.contentType,
      });
      expect(await h.progress.get(upload.uploadId)).toMatchObject({
        status: 'initialized',
        completedCount: 0,
        totalChunks: upload.totalChunks,
      });
    }
  });

  it('signs each URL for its part and length; the last part is the rest of the file', async () => {
    const [, big] = await h.initBatch.execute({ uploader: ALICE, channelId: '123', files });
    const lengths = big.presignedUrls.map((url) => Number(new URL(url).searchParams.get('length')));
    const parts = big.presignedUrls.map((url) => Number(new URL(url).searchParams.get('partNumber')));
    expect(parts).toEqual([1, 2, 3]);
    expect(lengths).toEqual([5 * MiB, 5 * MiB, 2 * MiB + 7]);
    // SigV4 dates a URL to its second: the answer never promises more than the URL keeps.
    expect(big.urlsExpireAt.getTime() % 1000).toBe(0);
    expect(big.urlsExpireAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600 * 1000);
  });

  it('refuses a channel the uploader may not upload to, and creates nothing', async () => {
    const before = h.storage.uploads.size;
    const code = await errorCodeOf(
      h.initBatch.execute({ uploader: { id: 'bob', channels: ['7'] }, channelId: '123', files }),
    );
    expect(code).toBe('CHANNEL_FORBIDDEN');
    expect(h.storage.uploads.size).toBe(before);
  });

  it.each([
    ['six files', Array.from({ length: 6 }, () => files[0]), 'files'],
    ['a file over the limit', [{ filename: 'huge.mp4', size: 1025 * MiB }], 'files.0.size'],
    ['a type that is plainly not video', [{ filename: 'notes.mp4', size: 10, type: 'text/html' }], 'files.0.type'],
  ])('refuses %s with VALIDATION_FAILED naming the field', async (_name, batch, field) => {
    const error = await h.initBatch.execute({ uploader: ALICE, channelId: '1', files: batch }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [expect.objectContaining({ field })] },
    });
  });

  it('past the cap on open uploads, refuses with TOO_MANY_OPEN_UPLOADS and aborts the uploads it created', async () => {
    const bob = { id: 'bob', channels: '*' as const };
    await h.initBatch.execute({ uploader: bob, channelId: '1', files: [files[0], files[0], files[0], files[0]] });
    const before = h.storage.uploads.size;
    expect(
      await errorCodeOf(h.initBatch.execute({ uploader: bob, channelId: '1', files: [files[0], files[0], files[0]] })),
    ).toBe('TOO_MANY_OPEN_UPLOADS');
    expect(h.storage.uploads.size).toBe(before);
    expect(await h.count(`SELECT count(*)::int AS n FROM upload_sessions WHERE owner_id = 'bob'`)).toBe(4);
  });

  it('when storage refuses one file, aborts the others and records nothing', async () => {
    const createMultipart = h.storage.createMultipart.bind(h.storage);
    let calls = 0;
    h.storage.createMultipart = async (key, type) =>
      ++calls === 2 ? Promise.reject(new Error('storage is down')) : createMultipart(key, type);
    const before = h.storage.uploads.size;
    try {
      await expect(
        h.initBatch.execute({ uploader: { id: 'carol', channels: '*' }, channelId: '1', files }),
      ).rejects.toThrow('storage is down');
    } finally {
      h.storage.createMultipart = createMultipart;
    }
    expect(h.storage.uploads.size).toBe(before);
    expect(await h.count(`SELECT count(*)::int AS n FROM upload_sessions WHERE owner_id = 'carol'`)).toBe(0);
  });
});
