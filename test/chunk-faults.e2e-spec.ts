/**
 * The chunk route under faults, on both drivers (s3 = radosgw behind a FaultProxy): a chunk racing
 * the completion, storage failing mid-chunk, bodies that stall or trickle, clients that go away
 * mid-body. What a user sees is checked: status and envelope code, the chunk failed in progress, no
 * temporary file left in the disk root, the completed video's bytes.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopChild } from '../scripts/child-process.js';
import { APP_NODE_FLAGS } from '../scripts/node-flags.js';
import { ChunkRequest, type ChunkAnswer } from './support/chunk-request.js';
import { FaultProxy } from './support/fault-proxy.js';
import { chunkOf, eventually, randomFile, sha256, sha256OfStream } from './support/files.js';
import { type Driver, freePort, MiB, startStack, type Stack } from './support/stack.js';

const IDLE_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stack per driver with a short body idle timeout; the s3 one reaches radosgw through a FaultProxy. */
function faultStack(driver: Driver): { stack: Stack; proxy?: FaultProxy } {
  const handles = {} as { stack: Stack; proxy?: FaultProxy };
  beforeAll(async () => {
    let s3Endpoint: string | undefined;
    if (driver === 's3') {
      handles.proxy = new FaultProxy(process.env.S3_ENDPOINT!);
      s3Endpoint = await handles.proxy.start();
    }
    handles.stack = await startStack({ driver, s3Endpoint, env: { HTTP_BODY_IDLE_TIMEOUT_MS: String(IDLE_MS) } });
  });
  afterAll(async () => {
    await handles.stack?.stop();
    await handles.proxy?.stop();
  });
  return handles;
}

describe.each<Driver>(['disk', 's3'])('chunk faults on the %s driver', (driver) => {
  const h = faultStack(driver);
  const file = randomFile(11 * MiB); // chunks of 5, 5 and 1 MiB

  const init = async () => {
    const answer = await h.stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] });
    return answer.body.data![0];
  };
  const open = (uploadId: string, index: number, length: number, form = false) =>
    new ChunkRequest(h.stack.url, h.stack.api.token!, { uploadId, index }, length, form);
  const failedChunks = async (uploadId: string) => (await h.stack.api.progress(uploadId)).body.data?.failedChunks;
  const tempFiles = () =>
    driver === 'disk' ? readdirSync(join(h.stack.env.STORAGE_DISK_ROOT, 'tmp')) : ([] as string[]);

  it('a chunk racing the completion answers 200 or 409 UPLOAD_COMPLETED, and the video is whole', async () => {
    const s = await init();
    for (let i = 0; i < 3; i++)
      expect((await h.stack.api.chunkRaw(s.uploadId, i, chunkOf(file, s.chunkSize, i))).status).toBe(200);
    const chunks = Array.from({ length: 5 }, () => h.stack.api.chunkRaw(s.uploadId, 0, chunkOf(file, s.chunkSize, 0)));
    const completes = Array.from({ length: 5 }, () => h.stack.api.complete(s.uploadId));
    const [sent, done] = await Promise.all([Promise.all(chunks), Promise.all(completes)]);

    expect(new Set(done.map((d) => `${d.status} ${d.body.data?.videoId}`))).toEqual(new Set([`200 ${s.fileId}`]));
    for (const answer of sent) {
      if (answer.status !== 200) expect([answer.status, answer.body.error?.code]).toEqual([409, 'UPLOAD_COMPLETED']);
    }
    const late = await h.stack.api.chunkRaw(s.uploadId, 0, chunkOf(file, s.chunkSize, 0));
    expect([late.status, late.body.error?.code]).toEqual([409, 'UPLOAD_COMPLETED']);
    const stored = await h.stack.storage.readRange(`videos/${s.fileId}/source`, 0);
    expect(await sha256OfStream(stored)).toBe(sha256(file));
    console.log(`[${driver}] race: chunks answered ${sent.map((a) => a.status).join(', ')}`);
  });

  it.each([false, true])('a body refused mid-way gets its envelope, not a reset (form: %s)', async (form) => {
    const s = await init();
    // A form's file one MiB longer than the chunk: the length guard stops it after 5 MiB.
    const req = open(s.uploadId, 1, 6 * MiB, form);
    await req.write(randomFile(6 * MiB));
    req.end();
    const answer = await req.answer;
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'CHUNK_LENGTH_MISMATCH' } } });
    // A raw body says its length up front and is refused before a byte is read; a form only as it streams.
    expect(await failedChunks(s.uploadId)).toEqual(form ? [1] : []);
    expect(tempFiles()).toEqual([]);
  });

  if (driver === 's3') {
    it.each([false, true])('storage failing mid-chunk answers 502 STORAGE_FAILED (form: %s)', async (form) => {
      const s = await init();
      h.proxy!.failWhen((req, url) => req.method === 'PUT' && url.searchParams.get('partNumber') === '1', 1, true);
      const req = open(s.uploadId, 0, 5 * MiB, form);
      const bytes = chunkOf(file, s.chunkSize, 0);
      for (let at = 0; at < bytes.length; at += MiB) await req.write(bytes.subarray(at, at + MiB));
      req.end();
      const answer = await req.answer;
      expect(answer).toMatchObject({
        status: 502,
        body: { error: { code: 'STORAGE_FAILED', details: { chunkIndex: 0 } } },
      });
      expect(await failedChunks(s.uploadId)).toEqual([0]);
      // The same chunk sent again is stored.
      expect((await h.stack.api.chunkRaw(s.uploadId, 0, bytes)).status).toBe(200);
    });
  }

  it.each([false, true])(
    'a body idle for the timeout gets 408 REQUEST_TIMEOUT and the chunk is failed (form: %s)',
    async (form) => {
      const s = await init();
      const req = open(s.uploadId, 0, 5 * MiB, form);
      await req.write(randomFile(MiB));
      const started = Date.now();
      const answer = await req.answer;
      const waited = Date.now() - started;
      expect(answer).toMatchObject({ status: 408, closes: true, body: { error: { code: 'REQUEST_TIMEOUT' } } });
      expect(waited).toBeGreaterThanOrEqual(IDLE_MS - 100);
      expect(await failedChunks(s.uploadId)).toEqual([0]);
      expect(tempFiles()).toEqual([]);
      req.abort();
    },
  );

  it.each([false, true])('a client gone mid-body fails the chunk at once (form: %s)', async (form) => {
    const s = await init();
    const req = open(s.uploadId, 2, MiB, form);
    await req.write(randomFile(MiB / 2));
    await eventually(
      () => h.stack.api.progress(s.uploadId),
      (p) => p.body.data?.status === 'uploading',
      5000,
    );
    const gone = Date.now();
    req.abort();
    // Well before the idle timeout: the abort itself fails it.
    const failed = await eventually(
      () => failedChunks(s.uploadId),
      (f) => f?.length === 1,
      IDLE_MS - 500,
    );
    expect(failed).toEqual([2]);
    console.log(`[${driver}] client gone (form: ${form}): chunk failed after ${Date.now() - gone} ms`);
    expect(tempFiles()).toEqual([]);
  });

  if (driver === 'disk') {
    it('an API starting on the disk root sweeps the temporary files a stopped process left', async () => {
      const tmp = join(h.stack.env.STORAGE_DISK_ROOT, 'tmp');
      writeFileSync(join(tmp, 'left-by-a-killed-api'), randomFile(MiB));
      const hourAgo = Date.now() / 1000 - 3600;
      utimesSync(join(tmp, 'left-by-a-killed-api'), hourAgo, hourAgo);
      writeFileSync(join(tmp, 'being-written'), randomFile(MiB));

      // A second API on the same root, as a restart would start it.
      const port = await freePort();
      const env = { ...h.stack.env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` };
      const api = spawn(process.execPath, [...APP_NODE_FLAGS, 'dist/apps/api/src/main.js'], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      try {
        const health = await eventually(
          () =>
            fetch(`http://127.0.0.1:${port}/health`).then(
              (r) => r.status,
              () => 0,
            ),
          (status) => status === 200,
          30_000,
        );
        expect(health).toBe(200);
        expect(tempFiles()).toEqual(['being-written']);
      } finally {
        await stopChild(api, 10_000);
        rmSync(join(tmp, 'being-written'), { force: true });
      }
    });
  }

  it('50 slow chunk requests do not hold up another upload; they end with 408 once they stall', async () => {
    const uploadWhole = async () => {
      const started = Date.now();
      const s = await init();
      for (let i = 0; i < 3; i++) {
        const sent = await h.stack.api.chunkRaw(s.uploadId, i, chunkOf(file, s.chunkSize, i));
        expect(sent.status).toBe(200);
      }
      expect((await h.stack.api.complete(s.uploadId)).status).toBe(200);
      return Date.now() - started;
    };
    const alone = await uploadWhole();
    const big = await h.stack.api.init({ channel_id: 'c1', files: [{ filename: 'big.mp4', size: 50 * 5 * MiB }] });
    const b = big.body.data![0];
    expect([b.totalChunks, b.chunkSize]).toEqual([50, 5 * MiB]);
    const slow = Array.from({ length: 50 }, (_, i) => open(b.uploadId, i, 5 * MiB, i % 2 === 1));
    // One small write every 500 ms: never idle for the timeout, never done.
    let trickling = true;
    const trickle = (async () => {
      while (trickling) {
        await Promise.all(slow.map((r) => r.write(Buffer.alloc(1024))));
        await sleep(500);
      }
    })();
    await sleep(1000);

    const beside = await uploadWhole();
    expect(slow.filter((r) => r.hasAnswer)).toHaveLength(0);

    trickling = false;
    await trickle;
    const answers: ChunkAnswer[] = await Promise.all(slow.map((r) => r.answer));
    expect(new Set(answers.map((a) => `${a.status} ${a.body?.error?.code}`))).toEqual(new Set(['408 REQUEST_TIMEOUT']));
    expect(await failedChunks(b.uploadId)).toHaveLength(50);
    console.log(
      `[${driver}] 11 MiB upload (3 chunks + complete): ${alone} ms alone, ${beside} ms beside 50 slow chunks`,
    );
  });
});
