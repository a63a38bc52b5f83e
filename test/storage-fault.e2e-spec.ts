/**
 * Storage itself failing (a 500 from the S3 server, injected by a proxy in front of radosgw): the
 * chunk is marked failed, nothing stored before is lost, and retry plus a second send finishes it.
 */
import { ChaosProxy } from './support/chaos-proxy.js';
import { FaultProxy } from './support/fault-proxy.js';
import { MiB, startStack, type Stack } from './support/stack.js';
import { chunkOf, eventually, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

/** An s3 stack whose API reaches radosgw through a FaultProxy, started and stopped around the describe. */
function proxiedS3Stack(env: Record<string, string> = {}): { proxy: FaultProxy; stack: Stack } {
  const handles = {} as { proxy: FaultProxy; stack: Stack };
  beforeAll(async () => {
    handles.proxy = new FaultProxy(process.env.S3_ENDPOINT!);
    handles.stack = await startStack({ driver: 's3', s3Endpoint: await handles.proxy.start(), env });
  });
  afterAll(async () => {
    await handles.stack?.stop();
    await handles.proxy?.stop();
  });
  return handles;
}

describe('a storage failure on the s3 driver', () => {
  const s3 = proxiedS3Stack();
  const file = randomFile(11 * MiB);

  it('marks the chunk failed with a 502, keeps the other parts, and completes after retry', async () => {
    const init = await s3.stack.api.init({
      channel_id: 'c1',
      files: [{ filename: 'a.mov', size: file.length, type: 'video/quicktime' }],
    });
    const s = init.body.data![0];
    expect(s.totalChunks).toBe(3);
    expect((await s3.stack.api.chunkRaw(s.uploadId, 0, chunkOf(file, s.chunkSize, 0))).status).toBe(200);

    s3.proxy.failWhen((req, url) => req.method === 'PUT' && url.searchParams.get('partNumber') === '2');
    const failed = await s3.stack.api.chunkRaw(s.uploadId, 1, chunkOf(file, s.chunkSize, 1));
    expect(s3.proxy.failed).toHaveLength(1);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'STORAGE_FAILED', details: { chunkIndex: 1 } });

    const progress = await s3.stack.api.progress(s.uploadId);
    expect(progress.body.data).toMatchObject({ status: 'failed', failedChunks: [1], completedCount: 1 });

    const retry = await s3.stack.api.retry(s.uploadId);
    expect(retry.body.data).toEqual([expect.objectContaining({ chunkIndex: 1 })]);
    expect((await putTo(retry.body.data![0].url, chunkOf(file, s.chunkSize, 1))).status).toBe(200);
    expect((await s3.stack.api.chunkRaw(s.uploadId, 2, chunkOf(file, s.chunkSize, 2))).status).toBe(200);
    const done = await s3.stack.api.complete(s.uploadId);
    expect(done.status).toBe(200);
    expect(await sha256OfStream(await s3.stack.storage.readRange(`videos/${s.fileId}/source`, 0))).toBe(sha256(file));
  });
});

describe('progress polling on the s3 driver', () => {
  const s3 = proxiedS3Stack({ PROGRESS_SYNC_INTERVAL_MS: '60000' });

  it('asks storage at most once per interval however often the frontend polls', async () => {
    const file = randomFile(11 * MiB);
    const s = (await s3.stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] })).body
      .data![0];
    expect((await putTo(s.presignedUrls[0], chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    // ListParts is the only GET with an uploadId in its query.
    const listParts = () => s3.proxy.requests.filter((r) => r.startsWith('GET ') && r.includes('uploadId=')).length;
    const before = listParts();
    // The first poll looks in storage behind its answer; the polls after it show the part.
    await eventually(
      () => s3.stack.api.progress(s.uploadId),
      (p) => p.body.data?.completedCount === 1,
    );
    for (let i = 0; i < 30; i++) {
      const answer = await s3.stack.api.progress(s.uploadId);
      expect(answer.body.data).toMatchObject({ completedCount: 1, totalChunks: 3 });
    }
    expect(listParts() - before).toBe(1);
  });
});

describe('progress right after direct PUTs, with the default sync interval (1 s), on the s3 driver', () => {
  const s3 = proxiedS3Stack({ PROGRESS_SYNC_INTERVAL_MS: '1000' });

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const listParts = () => s3.proxy.requests.filter((r) => r.startsWith('GET ') && r.includes('uploadId=')).length;

  it('a part PUT straight to storage shows within one interval and one poll, while storage sees at most one listing a second', async () => {
    const file = randomFile(11 * MiB);
    const s = (await s3.stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] })).body
      .data![0];
    expect((await s3.stack.api.progress(s.uploadId)).body.data).toMatchObject({ completedCount: 0 });
    expect((await putTo(s.presignedUrls[0], chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    await sleep(1000);
    // This poll starts the look in storage behind its answer; one more poll, a moment later, shows the part.
    await s3.stack.api.progress(s.uploadId);
    await sleep(250);
    expect((await s3.stack.api.progress(s.uploadId)).body.data).toMatchObject({ completedCount: 1, storedChunks: '0' });

    // Ten pages poll every 50 ms for 3 s: storage sees about one listing a second, not 600.
    const before = listParts();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (Date.now() - started < 3000) {
          expect((await s3.stack.api.progress(s.uploadId)).status).toBe(200);
          await sleep(50);
        }
      }),
    );
    expect(listParts() - before).toBeLessThanOrEqual(4);

    // The chunk route's own answer counts the parts PUT straight to storage too.
    expect((await putTo(s.presignedUrls[1], chunkOf(file, s.chunkSize, 1))).status).toBe(200);
    await sleep(1000);
    const sent = await s3.stack.api.chunkRaw(s.uploadId, 2, chunkOf(file, s.chunkSize, 2));
    expect(sent.body.data).toMatchObject({ completedCount: 3, progress: 100 });
  });
});

describe('progress while storage hangs, on the s3 driver', () => {
  let proxy: ChaosProxy;
  let stack: Stack;
  beforeAll(async () => {
    proxy = new ChaosProxy(process.env.S3_ENDPOINT!);
    stack = await startStack({ driver: 's3', s3Endpoint: await proxy.start() });
  });
  afterAll(async () => {
    await stack?.stop();
    await proxy?.stop();
  });

  it('polls answer at once from what Redis knows while the look in storage hangs; a fresh read waits for it', async () => {
    const file = randomFile(11 * MiB);
    const s = (await stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] })).body
      .data![0];
    expect((await stack.api.chunkRaw(s.uploadId, 0, chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    // Storage stops answering listings (ListParts: a GET with an uploadId in its query).
    const listing = proxy.holdRequests((req, url) => req.method === 'GET' && url.searchParams.has('uploadId'));
    const first = await stack.api.progress(s.uploadId);
    expect(first.body.data).toMatchObject({ completedCount: 1, storedChunks: '0' });
    await listing; // the poll's look reached storage, and hangs there
    for (let i = 0; i < 20; i++) {
      const started = Date.now();
      const answer = await stack.api.progress(s.uploadId);
      expect([answer.status, answer.body.data?.completedCount]).toEqual([200, 1]);
      expect(Date.now() - started).toBeLessThan(1000);
    }
    // A page resuming after a reload asks for what storage holds now: that answer waits for storage.
    const fresh = Promise.race([
      stack.api.progress(s.uploadId, { fresh: true }).then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('waiting'), 1500)),
    ]);
    expect(await fresh).toBe('waiting');
  });
});
