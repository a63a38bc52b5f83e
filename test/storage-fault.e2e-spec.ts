/**
 * Storage itself failing (a 500 from the S3 server, injected by a proxy in front of radosgw): the
 * chunk is marked failed, nothing stored before is lost, and retry plus a second send finishes it.
 */
import { FaultProxy } from './support/fault-proxy.js';
import { MiB, startStack, type Stack } from './support/stack.js';
import { chunkOf, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

describe('a storage failure on the s3 driver', () => {
  let proxy: FaultProxy;
  let stack: Stack;
  const file = randomFile(11 * MiB);

  beforeAll(async () => {
    proxy = new FaultProxy(process.env.S3_ENDPOINT!);
    stack = await startStack({ driver: 's3', s3Endpoint: await proxy.start() });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('marks the chunk failed with a 502, keeps the other parts, and completes after retry', async () => {
    const init = await stack.api.init({
      channel_id: 'c1',
      files: [{ filename: 'a.mov', size: file.length, type: 'video/quicktime' }],
    });
    const s = init.body.data![0];
    expect(s.totalChunks).toBe(3);
    expect((await stack.api.chunkRaw(s.uploadId, 0, chunkOf(file, s.chunkSize, 0))).status).toBe(200);

    proxy.failWhen((req, url) => req.method === 'PUT' && url.searchParams.get('partNumber') === '2');
    const failed = await stack.api.chunkRaw(s.uploadId, 1, chunkOf(file, s.chunkSize, 1));
    expect(proxy.failed).toHaveLength(1);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'STORAGE_FAILED', details: { chunkIndex: 1 } });

    const progress = await stack.api.progress(s.uploadId);
    expect(progress.body.data).toMatchObject({ status: 'failed', failedChunks: [1], completedCount: 1 });

    const retry = await stack.api.retry(s.uploadId);
    expect(retry.body.data).toEqual([expect.objectContaining({ chunkIndex: 1 })]);
    expect((await putTo(retry.body.data![0].url, chunkOf(file, s.chunkSize, 1))).status).toBe(200);
    expect((await stack.api.chunkRaw(s.uploadId, 2, chunkOf(file, s.chunkSize, 2))).status).toBe(200);
    const done = await stack.api.complete(s.uploadId);
    expect(done.status).toBe(200);
    expect(await sha256OfStream(await stack.storage.readRange(`videos/${s.fileId}/source`, 0))).toBe(sha256(file));
  });
});

describe('progress polling on the s3 driver', () => {
  let proxy: FaultProxy;
  let stack: Stack;

  beforeAll(async () => {
    proxy = new FaultProxy(process.env.S3_ENDPOINT!);
    stack = await startStack({
      driver: 's3',
      s3Endpoint: await proxy.start(),
      env: { PROGRESS_SYNC_INTERVAL_MS: '60000' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('asks storage at most once per interval however often the frontend polls', async () => {
    const file = randomFile(11 * MiB);
    const s = (await stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] })).body
      .data![0];
    expect((await putTo(s.presignedUrls[0], chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    // ListParts is the only GET with an uploadId in its query.
    const listParts = () => proxy.requests.filter((r) => r.startsWith('GET ') && r.includes('uploadId=')).length;
    const before = listParts();
    for (let i = 0; i < 30; i++) {
      const answer = await stack.api.progress(s.uploadId);
      expect(answer.body.data).toMatchObject({ completedCount: 1, totalChunks: 3 });
    }
    expect(listParts() - before).toBe(1);
  });
});

describe('progress right after direct PUTs, with the default sync interval (1 s), on the s3 driver', () => {
  let proxy: FaultProxy;
  let stack: Stack;

  beforeAll(async () => {
    proxy = new FaultProxy(process.env.S3_ENDPOINT!);
    stack = await startStack({
      driver: 's3',
      s3Endpoint: await proxy.start(),
      env: { PROGRESS_SYNC_INTERVAL_MS: '1000' },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const listParts = () => proxy.requests.filter((r) => r.startsWith('GET ') && r.includes('uploadId=')).length;

  it('a poll 1 s after a PUT was answered shows the part, while storage sees at most one listing a second', async () => {
    const file = randomFile(11 * MiB);
    const s = (await stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] })).body
      .data![0];
    expect((await stack.api.progress(s.uploadId)).body.data).toMatchObject({ completedCount: 0 });
    expect((await putTo(s.presignedUrls[0], chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    await sleep(1000);
    expect((await stack.api.progress(s.uploadId)).body.data).toMatchObject({ completedCount: 1, storedChunks: '0' });

    // Ten pages poll every 50 ms for 3 s: storage sees about one listing a second, not 600.
    const before = listParts();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() - started < 3000) {
          expect((await stack.api.progress(s.uploadId)).status).toBe(200);
          await sleep(50);
        }
      }),
    );
    expect(listParts() - before).toBeLessThanOrEqual(4);

    // The chunk route's own answer counts the parts PUT straight to storage too.
    expect((await putTo(s.presignedUrls[1], chunkOf(file, s.chunkSize, 1))).status).toBe(200);
    await sleep(1000);
    const sent = await stack.api.chunkRaw(s.uploadId, 2, chunkOf(file, s.chunkSize, 2));
    expect(sent.body.data).toMatchObject({ completedCount: 3, progress: 100 });
  });
});
