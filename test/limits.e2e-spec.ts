/** Limits that need their own settings: URL expiry, the chunk route's size cap, start-up validation. */
import { spawnSync } from 'node:child_process';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';
import { chunkOf, eventually, putTo, randomFile } from './support/files.js';

describe.each(DRIVERS)('presigned URLs that expire on the %s driver', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver, env: { UPLOAD_URL_TTL_SECONDS: '2' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('counts a chunk whose URL expired before it arrived as failed, and retry re-signs it', async () => {
    const file = randomFile(11 * MiB);
    const s = (await stack.api.init({ channel_id: '9', files: [{ filename: 'late.webm', size: file.length }] })).body
      .data![0];
    expect((await putTo(s.presignedUrls[0], chunkOf(file, s.chunkSize, 0))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    const late = await putTo(s.presignedUrls[1], chunkOf(file, s.chunkSize, 1));
    expect(late.status).toBe(403);
    // The poll after the one that looked in storage shows it.
    const polled = await eventually(
      () => stack.api.progress(s.uploadId),
      (p) => p.body.data?.status === 'failed',
    );
    expect(polled.body.data).toMatchObject({
      status: 'failed',
      failedChunks: [1, 2],
      completedCount: 1,
    });

    const retry = await stack.api.retry(s.uploadId);
    expect(retry.body.data!.map((r) => r.chunkIndex)).toEqual([1, 2]);
    for (const { chunkIndex, url } of retry.body.data!)
      expect((await putTo(url, chunkOf(file, s.chunkSize, chunkIndex))).status).toBe(200);
    expect((await stack.api.complete(s.uploadId)).status).toBe(200);
  });
});

describe('the chunk route size cap', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk', env: { UPLOAD_MAX_CHUNK_BYTES: String(4 * MiB) } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a chunk larger than the cap with 413 before reading it, and points at the presigned URL', async () => {
    const s = (await stack.api.init({ channel_id: '9', files: [{ filename: 'big.mp4', size: 11 * MiB }] })).body
      .data![0];
    const res = await stack.api.chunkRaw(s.uploadId, 0, Buffer.alloc(5 * MiB));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'CHUNK_TOO_LARGE', details: { limit: 4 * MiB } });
    expect((await stack.api.progress(s.uploadId)).body.data).toMatchObject({ completedCount: 0, failedChunks: [] });
  });
});

describe('configuration', () => {
  it('a wrong setting stops the API at start-up with its name', () => {
    const run = spawnSync(process.execPath, ['dist/apps/api/src/main.js'], {
      env: { ...process.env, PORT: 'eighty', STORAGE_DRIVER: 's3', S3_BUCKET: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/PORT/);
    expect(run.stderr).toMatch(/S3_BUCKET/);
  });
});
