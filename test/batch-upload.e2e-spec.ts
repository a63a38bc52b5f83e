/**
 * The seed document's frontend flows, end to end, on both storage drivers: the built API as a child
 * process, real Postgres, real Redis, and real storage (a folder, or radosgw over S3).
 */
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import type { UploadSessionDto } from '../apps/api/src/videos-batch/dto/upload-session.dto.js';
import type { ApiBody } from './support/api-client.js';
import { parseChunkRanges } from '#progress';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';
import { chunkOf, eventually, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

/** The envelope of init's answer. */
type InitBody = ApiBody<UploadSessionDto[]>;

const SINGLE = 1 * MiB + 123; // at most 6 MiB in tests: one PUT
const CHUNKED = 12 * MiB + 7; // 5 MiB parts: 3 chunks, the last 2 MiB + 7 bytes

describe.each(DRIVERS)('batch upload on the %s driver', (driver) => {
  let stack: Stack;
  const single = randomFile(SINGLE);
  const chunked = randomFile(CHUNKED);
  const files = [
    { filename: 'myVideo1.mp4', size: SINGLE, type: 'video/mp4' },
    { filename: 'myVideo2.mp4', size: CHUNKED, type: 'video/mp4' },
  ];

  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function init() {
    const res = await stack.api.init({ channel_id: '123', files });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    return res.body.data!;
  }

  async function expectStored(uploadId: string, source: Buffer) {
    const { rows } = await stack.db.query<{ id: string; size: string; storage_key: string }>(
      'SELECT v.id, v.size, v.storage_key FROM videos v WHERE v.upload_id = $1',
      [uploadId],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].size)).toBe(source.length);
    expect(await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0))).toBe(sha256(source));
    const job = await stack.queue.getJob(`process-${rows[0].id}`);
    // The complete call's X-Request-Id goes with the job, for the worker's log lines.
    expect(job?.data).toEqual({ videoId: rows[0].id, requestId: expect.any(String) as unknown });
    return rows[0].id;
  }

  it('answers one session per file, as the seed shows, plus chunkSize, expiresAt and batchId', async () => {
    const [a, b] = await init();
    expect(a).toMatchObject({
      isChunked: false,
      totalChunks: 1,
      status: 'initialized',
      chunkSize: SINGLE,
      filename: 'myVideo1.mp4',
    });
    expect(a.presignedUrls).toHaveLength(1);
    expect(b).toMatchObject({ isChunked: true, totalChunks: 3, status: 'initialized', chunkSize: 5 * MiB });
    expect(b.presignedUrls).toHaveLength(3);
    expect(a.batchId).toBe(b.batchId);
    expect(a.uploadId).not.toBe(a.fileId);
    expect(Date.parse(a.expiresAt)).toBeGreaterThan(Date.now());
    for (const url of [...a.presignedUrls, ...b.presignedUrls]) expect(url).not.toContain('myVideo');
  });

  it('a file of 2,000 parts gets 2,000 distinct part URLs, and storage takes a part from anywhere in it', async () => {
    const size = 2000 * 5 * MiB - 3;
    const res = await stack.api.init({ channel_id: '123', files: [{ filename: 'long.mp4', size, type: 'video/mp4' }] });
    expect(res.status).toBe(201);
    const [s] = res.body.data!;
    expect(s).toMatchObject({ isChunked: true, totalChunks: 2000, chunkSize: 5 * MiB });
    expect(new Set(s.presignedUrls).size).toBe(2000);
    const last = randomFile(5 * MiB - 3);
    const part = randomFile(5 * MiB);
    for (const [index, body] of [
      [0, part],
      [1000, part],
      [1001, part],
      [1999, last],
    ] as const)
      expect((await putTo(s.presignedUrls[index], body)).status).toBe(200);
    // The URL of one part does not take another part's length.
    expect((await putTo(s.presignedUrls[1500], last)).status).toBeGreaterThanOrEqual(400);
    const progress = await eventually(
      () => stack.api.progress(s.uploadId),
      (r) => r.body.data!.completedCount === 4,
    );
    expect(progress.body.data).toMatchObject({ totalChunks: 2000, completedCount: 4 });
  });

  it("init's answer arrives whole, as UTF-8 JSON of its declared length, compressed or not", async () => {
    const filename = 'été "à la plage" \\ 🎬.mp4';
    const body = JSON.stringify({
      channel_id: '123',
      files: [
        { filename, size: 600 * 5 * MiB, type: 'video/mp4' },
        { filename: 'b.mp4', size: 3 * 5 * MiB, type: 'video/mp4' },
      ],
    });
    const init = (headers: Record<string, string>) =>
      request(`${stack.url}/api/v1/videos/batch/init`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.api.token}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const plain = await init({});
    const bytes = Buffer.from(await plain.body.arrayBuffer());
    expect(plain.statusCode).toBe(201);
    expect(plain.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(plain.headers['content-length'])).toBe(bytes.length);
    const zipped = await init({ 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const answers = [
      JSON.parse(bytes.toString('utf8')) as InitBody,
      JSON.parse(gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).toString('utf8')) as InitBody,
    ];
    for (const answer of answers) {
      const [large, small] = answer.data!;
      expect(large).toMatchObject({ filename: filename.replace('\\', '_'), totalChunks: 600 });
      expect(small).toMatchObject({ filename: 'b.mp4', totalChunks: 3 });
      expect(new Set(large.presignedUrls).size).toBe(600);
      for (const url of [...large.presignedUrls, ...small.presignedUrls]) expect(new URL(url).href).toBe(url);
    }
    // A URL from the middle of the answer takes its part.
    expect((await putTo(answers[1].data![0].presignedUrls[299], randomFile(5 * MiB))).status).toBe(200);
  });

  it('flow 1: presigned PUTs, progress learned from storage, complete, Video rows and jobs', async () => {
    const [a, b] = await init();
    // The whole file's URL takes a PUT without Content-Type, as a browser sends a File whose type is "".
    expect((await putTo(a.presignedUrls[0], single)).status).toBe(200);
    for (let i = 0; i < b.totalChunks; i++) {
      const put = await putTo(b.presignedUrls[i], chunkOf(chunked, b.chunkSize, i));
      expect(put.status).toBe(200);
      expect(put.etag).toBeTruthy();
    }
    const progress = await eventually(
      () => stack.api.progress(b.uploadId),
      (r) => r.body.data!.progress === 100,
    );
    expect(progress.body.data).toMatchObject({
      uploadId: b.uploadId,
      filename: 'myVideo2.mp4',
      progress: 100,
      failedChunks: [],
      totalChunks: 3,
      completedCount: 3,
    });

    for (const [session, source] of [
      [a, single],
      [b, chunked],
    ] as const) {
      const done = await stack.api.complete(session.uploadId);
      expect(done.status).toBe(200);
      expect(done.body.data).toMatchObject({
        videoId: session.fileId,
        uploadId: session.uploadId,
        size: source.length,
        status: 'uploaded',
        channelId: '123',
      });
      expect(await expectStored(session.uploadId, source)).toBe(session.fileId);
      const after = await stack.api.progress(session.uploadId);
      expect(after.body.data).toMatchObject({ progress: 100, status: 'completed', videoId: session.fileId });
      expect(await stack.redis.keys(`${stack.redisPrefix}up:{${session.uploadId}}*`)).toEqual([]);
    }
  });

  it('flow 2: the same batch through the chunk route (form-data and raw bodies)', async () => {
    const [a, b] = await init();
    const form = await stack.api.chunkForm(a.uploadId, 0, single, 'myVideo1.mp4');
    expect(form.status).toBe(200);
    expect(form.body.data).toMatchObject({ chunkIndex: 0, size: SINGLE, completedCount: 1, progress: 100 });
    for (let i = 0; i < b.totalChunks; i++) {
      const raw = await stack.api.chunkRaw(b.uploadId, i, chunkOf(chunked, b.chunkSize, i));
      expect(raw.status).toBe(200);
      expect(raw.body.data).toMatchObject({ chunkIndex: i, completedCount: i + 1 });
    }
    const mid = await stack.api.progress(b.uploadId);
    expect(mid.body.data).toMatchObject({ progress: 100, completedCount: 3, status: 'uploading' });
    for (const [session, source] of [
      [a, single],
      [b, chunked],
    ] as const) {
      expect((await stack.api.complete(session.uploadId)).status).toBe(200);
      await expectStored(session.uploadId, source);
    }
  });

  it('sending a chunk again replaces it, and a chunk of the wrong length is refused', async () => {
    const [, b] = await init();
    const wrong = await stack.api.chunkRaw(b.uploadId, 0, chunkOf(chunked, b.chunkSize, 0).subarray(1));
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({
      code: 'CHUNK_LENGTH_MISMATCH',
      details: { chunkIndex: 0, expected: 5 * MiB },
    });
    const outOfRange = await stack.api.chunkRaw(b.uploadId, 3, Buffer.alloc(10));
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.body.error!.code).toBe('CHUNK_INDEX_OUT_OF_RANGE');

    const garbage = randomFile(5 * MiB);
    expect((await stack.api.chunkRaw(b.uploadId, 0, garbage)).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await stack.api.chunkRaw(b.uploadId, i, chunkOf(chunked, b.chunkSize, i))).status).toBe(200);
    expect((await stack.api.complete(b.uploadId)).status).toBe(200);
    await expectStored(b.uploadId, chunked);
  });

  it('flow 3: a chunk that fails on the way to storage shows in failedChunks; retry gives a URL; then complete succeeds', async () => {
    const [, b] = await init();
    expect((await stack.api.chunkRaw(b.uploadId, 0, chunkOf(chunked, b.chunkSize, 0))).status).toBe(200);
    await sendTruncated(
      stack.url,
      `/api/v1/videos/batch/chunk/${b.uploadId}/1`,
      chunkOf(chunked, b.chunkSize, 1),
      stack.api.token!,
    );
    const failed = await eventually(
      () => stack.api.progress(b.uploadId),
      (r) => r.body.data!.failedChunks.length > 0,
    );
    expect(failed.body.data).toMatchObject({ status: 'failed', failedChunks: [1], completedCount: 1 });

    const retry = await stack.api.retry(b.uploadId);
    expect(retry.status).toBe(200);
    expect(retry.body.data!.map((r) => r.chunkIndex)).toEqual([1]);
    expect((await stack.api.progress(b.uploadId)).body.data).toMatchObject({ status: 'retrying', failedChunks: [] });
    expect((await putTo(retry.body.data![0].url, chunkOf(chunked, b.chunkSize, 1))).status).toBe(200);
    expect((await stack.api.chunkRaw(b.uploadId, 2, chunkOf(chunked, b.chunkSize, 2))).status).toBe(200);
    const done = await stack.api.complete(b.uploadId);
    expect(done.status).toBe(200);
    await expectStored(b.uploadId, chunked);
  });

  it('flow 4: early complete answers Missing parts with the indices; double complete answers the same video', async () => {
    const [a, b] = await init();
    expect((await putTo(b.presignedUrls[0], chunkOf(chunked, b.chunkSize, 0))).status).toBe(200);
    const early = await stack.api.complete(b.uploadId);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'MISSING_PARTS', details: { missingChunks: [1, 2] } });
    expect(early.body.error!.message).toMatch(/Missing parts/);
    expect((await stack.api.progress(b.uploadId)).body.data).toMatchObject({ failedChunks: [1, 2], status: 'failed' });
    const retry = await stack.api.retry(b.uploadId);
    expect(retry.body.data!.map((r) => r.chunkIndex)).toEqual([1, 2]);
    for (const { chunkIndex, url } of retry.body.data!)
      expect((await putTo(url, chunkOf(chunked, b.chunkSize, chunkIndex))).status).toBe(200);

    const earlySingle = await stack.api.complete(a.uploadId);
    expect(earlySingle.status).toBe(409);
    expect(earlySingle.body.error).toMatchObject({ details: { missingChunks: [0] } });

    const [first, second] = await Promise.all([stack.api.complete(b.uploadId), stack.api.complete(b.uploadId)]);
    const third = await stack.api.complete(b.uploadId);
    for (const res of [first, second, third]) {
      expect(res.status).toBe(200);
      expect(res.body.data).toMatchObject({ videoId: b.fileId });
    }
    const { rows } = await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM videos WHERE upload_id = $1', [
      b.uploadId,
    ]);
    expect(rows[0].n).toBe(1);
    await expectStored(b.uploadId, chunked);
  });

  it('flow 5: Redis flushed in the middle of an upload: progress is rebuilt and the upload completes', async () => {
    const [a, b] = await init();
    expect((await putTo(a.presignedUrls[0], single, { 'content-type': 'application/octet-stream' })).status).toBe(200);
    expect((await putTo(b.presignedUrls[0], chunkOf(chunked, b.chunkSize, 0))).status).toBe(200);
    expect((await stack.api.chunkRaw(b.uploadId, 1, chunkOf(chunked, b.chunkSize, 1))).status).toBe(200);
    const keys = await stack.redis.keys(`${stack.redisPrefix}up:*`);
    expect(keys.length).toBeGreaterThan(0);
    await stack.redis.del(...keys);

    const rebuilt = await stack.api.progress(b.uploadId);
    expect(rebuilt.body.data).toMatchObject({
      completedCount: 2,
      totalChunks: 3,
      failedChunks: [],
      filename: 'myVideo2.mp4',
    });
    expect(rebuilt.body.data!.progress).toBe(Math.floor((10 * MiB * 100) / CHUNKED));
    expect((await stack.api.progress(a.uploadId)).body.data).toMatchObject({ progress: 100, completedCount: 1 });
    expect((await putTo(b.presignedUrls[2], chunkOf(chunked, b.chunkSize, 2))).status).toBe(200);
    for (const [session, source] of [
      [a, single],
      [b, chunked],
    ] as const) {
      expect((await stack.api.complete(session.uploadId)).status).toBe(200);
      await expectStored(session.uploadId, source);
    }
  });

  it('abort: the multipart upload and its parts are gone, its URLs are refused, and every route answers 410', async () => {
    const [, b] = await init();
    expect((await putTo(b.presignedUrls[0], chunkOf(chunked, b.chunkSize, 0))).status).toBe(200);
    const { rows } = await stack.db.query<{ storage_key: string; multipart_upload_id: string }>(
      'SELECT storage_key, multipart_upload_id FROM upload_sessions WHERE id = $1',
      [b.uploadId],
    );
    const aborted = await stack.api.abort(b.uploadId);
    expect(aborted.status).toBe(200);
    expect(aborted.body.data).toEqual({ uploadId: b.uploadId, status: 'aborted' });
    await expect(stack.storage.listParts(rows[0].storage_key, rows[0].multipart_upload_id)).rejects.toMatchObject({
      code: 'NO_SUCH_UPLOAD',
    });
    const late = await putTo(b.presignedUrls[1], chunkOf(chunked, b.chunkSize, 1));
    expect(late.status).toBeGreaterThanOrEqual(400);
    expect(late.status).toBeLessThan(500);
    for (const answer of [
      await stack.api.progress(b.uploadId),
      await stack.api.retry(b.uploadId),
      await stack.api.complete(b.uploadId),
      await stack.api.chunkRaw(b.uploadId, 1, chunkOf(chunked, b.chunkSize, 1)),
    ]) {
      expect([answer.status, answer.body.error?.code]).toEqual([410, 'UPLOAD_ABORTED']);
    }
    expect((await stack.api.abort(b.uploadId)).status).toBe(200);
    expect(await stack.redis.keys(`${stack.redisPrefix}up:{${b.uploadId}}*`)).toEqual([]);
  });

  it('a page that reloads learns which chunks are stored, and sends only the others', async () => {
    const [, b] = await init();
    for (const i of [0, 2])
      expect((await putTo(b.presignedUrls[i], chunkOf(chunked, b.chunkSize, i))).status).toBe(200);
    // A reloaded page asks for what storage holds now, not the last look.
    const progress = await stack.api.progress(b.uploadId, { fresh: true });
    expect(progress.body.data).toMatchObject({ storedChunks: '0,2', completedCount: 2 });
    const stored = new Set(parseChunkRanges(progress.body.data!.storedChunks));
    const missing = Array.from({ length: b.totalChunks }, (_, i) => i).filter((i) => !stored.has(i));
    expect(missing).toEqual([1]);
    for (const i of missing)
      expect((await stack.api.chunkRaw(b.uploadId, i, chunkOf(chunked, b.chunkSize, i))).status).toBe(200);
    expect((await stack.api.complete(b.uploadId)).status).toBe(200);
    await expectStored(b.uploadId, chunked);
    expect((await stack.api.progress(b.uploadId)).body.data).toMatchObject({
      storedChunks: '0-2',
      status: 'completed',
    });
  });

  it('routes without a body take a POST with Content-Type: application/json and no body, as fetch wrappers send', async () => {
    const [a] = await init();
    const empty = { headers: { 'content-type': 'application/json' }, body: '' };
    expect((await stack.api.call('POST', `/api/v1/videos/batch/retry/${a.uploadId}`, empty)).status).toBe(200);
    expect((await putTo(a.presignedUrls[0], single)).status).toBe(200);
    expect((await stack.api.call('POST', `/api/v1/videos/batch/complete/${a.uploadId}`, empty)).status).toBe(200);
    const init0 = await stack.api.call('POST', '/api/v1/videos/batch/init', empty);
    expect([init0.status, init0.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});

/** Announces the whole chunk, sends half of it, and drops the connection: a network failure mid-chunk. */
async function sendTruncated(base: string, path: string, chunk: Buffer, token: string): Promise<void> {
  const { request } = await import('node:http');
  await new Promise<void>((resolve) => {
    const url = new URL(base + path);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': chunk.length,
        authorization: `Bearer ${token}`,
      },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(chunk.subarray(0, chunk.length >> 1), () => setTimeout(() => req.destroy(), 200));
    req.on('close', () => resolve());
  });
}
