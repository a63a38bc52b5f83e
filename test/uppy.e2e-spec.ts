/**
 * Stock Uppy (@uppy/core + @uppy/aws-s3 6.x, bundled from node_modules) uploads to Reelay through its
 * Companion endpoint alone, on both drivers: first the routes' answers checked against the shapes Uppy's
 * own client reads (node_modules/@uppy/aws-s3/src/s3-client/CompanionS3.ts), from Node; then a page in
 * Chromium, on another origin, with nothing configured but the endpoint and the channel in Uppy's meta.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { request } from 'undici';
import { processVideoJobId } from '#uploads';
import { bundleForBrowser } from './support/bundle.js';
import { keepScreenshot, launchChromium, servePages, type PageServer } from './support/browser.js';
import { eventually, sha256OfStream } from './support/files.js';
import { DRIVERS, freePort, MiB, startStack, type Stack } from './support/stack.js';

/** What the page's Uppy offers the functions run in it (the test compiles without the DOM library). */
interface PageUppy {
  on(event: string, listener: (file: never) => void): void;
  getFile(id: string): { s3Multipart?: { uploadId: string } } | undefined;
  cancelAll(): void;
  upload(): Promise<unknown>;
}

interface Answer<T = unknown> {
  status: number;
  body: T;
}

/** A call to the Companion endpoint as Uppy makes it: no Authorization header, JSON in and out. */
async function companion<T = unknown>(
  endpoint: string,
  method: string,
  path: string,
  json?: unknown,
): Promise<Answer<T>> {
  const res = await request(`${endpoint}/s3${path}`, {
    method: method as 'GET',
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.statusCode, body: (await res.body.json()) as T };
}

async function put(url: string, body: Buffer): Promise<{ status: number; etag?: string }> {
  const res = await request(url, { method: 'PUT', body, headers: { 'content-type': 'video/mp4' } });
  await res.body.dump();
  return { status: res.statusCode, etag: res.headers.etag as string | undefined };
}

// Jest's asymmetric matchers are typed `any`; as `unknown` they sit in object literals.
const anyString = (): unknown => expect.any(String);
const anyNumber = (): unknown => expect.any(Number);
const matching = (pattern: RegExp): unknown => expect.stringMatching(pattern);
const containing = (text: string): unknown => expect.stringContaining(text);
const like = (value: object): unknown => expect.objectContaining(value);

/** The per-user limit on uploads started one file at a time, of the stack under test: high enough for every other test here. */
const LIMIT_CREATE = 20;

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each(DRIVERS)('stock Uppy through the Companion routes on the %s driver', (driver) => {
  let stack: Stack;
  let pagePort: number;
  let endpoint: string;

  beforeAll(async () => {
    pagePort = await freePort();
    stack = await startStack({
      driver,
      env: { CORS_ORIGINS: `http://127.0.0.1:${pagePort}`, RATE_LIMIT_CREATE: String(LIMIT_CREATE) },
    });
    const minted = await stack.api.call<{ companionEndpoint: string; expiresAt: string }>(
      'POST',
      '/api/v1/uppy/endpoints',
    );
    expect(minted.status).toBe(201);
    endpoint = minted.body.data!.companionEndpoint;
  });
  afterAll(async () => {
    if (process.env.DEBUG_LOGS) console.log(stack.logs());
    await stack?.stop();
  });

  async function videoRow(videoId: string) {
    const { rows } = await stack.db.query<{ size: string; storage_key: string; channel_id: string; filename: string }>(
      'SELECT size, storage_key, channel_id, filename FROM videos WHERE id = $1',
      [videoId],
    );
    return rows[0];
  }

  describe("the routes answer what Uppy's client reads", () => {
    it('creates, signs, lists, completes: a Video with every byte, its job queued, completion idempotent', async () => {
      expect(endpoint).toMatch(new RegExp(`^${stack.url}/api/v1/uppy/[A-Za-z0-9_-]{43}$`));
      const created = await companion<{ key: string; uploadId: string }>(endpoint, 'POST', '/multipart', {
        filename: 'clip.mp4',
        type: 'video/mp4',
        metadata: { channel_id: '7', name: 'clip.mp4', type: 'video/mp4' },
      });
      expect(created).toEqual({ status: 200, body: { key: anyString(), uploadId: anyString() } });
      const { key, uploadId } = created.body;
      const q = new URLSearchParams({ key }).toString();

      // Uppy's part sizes: 5 MiB parts and a short last one (the session has no plan of its own).
      const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
      const etags: string[] = [];
      for (const [i, bytes] of parts.entries()) {
        const signed = await companion<{ url: string; expires: number }>(
          endpoint,
          'GET',
          `/multipart/${uploadId}/${i + 1}?${q}`,
        );
        expect(signed).toEqual({
          status: 200,
          body: { url: matching(/^http/), expires: anyNumber() },
        });
        const stored = await put(signed.body.url, bytes);
        expect(stored.status).toBe(200);
        etags.push(stored.etag!);
      }
      const listed = await companion<Array<{ PartNumber: number; ETag: string; Size: number }>>(
        endpoint,
        'GET',
        `/multipart/${uploadId}?${q}`,
      );
      expect(listed.body).toEqual(parts.map((p, i) => ({ PartNumber: i + 1, ETag: etags[i], Size: p.length })));

      // Progress counts the bytes Uppy PUT straight to storage, by the poll after the one that looked.
      const progress = await eventually(
        () => stack.api.progress(uploadId),
        (p) => p.body.data?.completedCount === 3,
      );
      expect(progress.body.data).toMatchObject({ completedCount: 3, bytesStored: 10 * MiB + 1234 });

      const parts3 = etags.map((etag, i) => ({ PartNumber: i + 1, ETag: etag.replace(/"/g, '') }));
      const done = await companion<{ location: string; key: string; videoId: string }>(
        endpoint,
        'POST',
        `/multipart/${uploadId}/complete?${q}`,
        { parts: parts3 },
      );
      expect(done).toEqual({
        status: 200,
        body: { location: `${stack.url}/api/v1/videos/${done.body.videoId}`, key, videoId: anyString() },
      });
      const again = await companion(endpoint, 'POST', `/multipart/${uploadId}/complete?${q}`, { parts: parts3 });
      expect(again).toEqual(done);

      const row = await videoRow(done.body.videoId);
      expect(row).toMatchObject({ size: String(10 * MiB + 1234), channel_id: '7', filename: 'clip.mp4' });
      expect(await sha256OfStream(await stack.storage.readRange(row.storage_key, 0))).toBe(
        sha256(Buffer.concat(parts)),
      );
      expect(await (await stack.queue.getJob(processVideoJobId(done.body.videoId)))?.getState()).toBe('waiting');
      expect((await stack.api.progress(uploadId)).body.data).toMatchObject({
        status: 'completed',
        progress: 100,
        totalChunks: 3,
        videoId: done.body.videoId,
      });
    });

    it('signs a batch of parts (the route of Uppy 3 and 4) and aborts with DELETE: every later call answers 410', async () => {
      const { body } = await companion<{ key: string; uploadId: string }>(endpoint, 'POST', '/multipart', {
        filename: 'b.mp4',
        type: 'video/mp4',
        metadata: { channel_id: '7' },
      });
      const batch = await companion<{ presignedUrls: Record<string, string> }>(
        endpoint,
        'GET',
        `/multipart/${body.uploadId}/batch?partNumbers=1,2`,
      );
      expect(batch.status).toBe(200);
      expect(Object.keys(batch.body.presignedUrls)).toEqual(['1', '2']);
      expect(await put(batch.body.presignedUrls['1'], randomBytes(1000))).toMatchObject({ status: 200 });

      expect(await companion(endpoint, 'DELETE', `/multipart/${body.uploadId}?key=${body.key}`)).toEqual({
        status: 200,
        body: {},
      });
      const later = await companion<{ error: { code: string } }>(endpoint, 'GET', `/multipart/${body.uploadId}/1`);
      expect([later.status, later.body.error.code]).toEqual([410, 'UPLOAD_ABORTED']);
      expect(await stack.storage.listMultipartUploads('videos/')).not.toContainEqual(
        like({ multipartUploadId: anyString(), key: body.key }),
      );
    });

    it('refuses what S3 would refuse, naming why: a missing part, a short part, another route, a bad token', async () => {
      const { body } = await companion<{ key: string; uploadId: string }>(endpoint, 'POST', '/multipart', {
        filename: 'c.mp4',
        type: '',
        metadata: { channel_id: '7' },
      });
      const [one, two] = [randomBytes(1 * MiB), randomBytes(1000)];
      const urls = await Promise.all(
        [1, 2].map(
          async (n) => (await companion<{ url: string }>(endpoint, 'GET', `/multipart/${body.uploadId}/${n}`)).body.url,
        ),
      );
      const [p1, p2] = [await put(urls[0], one), await put(urls[1], two)];

      const missing = await companion<{ error: { code: string; details: { missingParts: number[] } } }>(
        endpoint,
        'POST',
        `/multipart/${body.uploadId}/complete`,
        {
          parts: [
            { PartNumber: 1, ETag: p1.etag },
            { PartNumber: 3, ETag: p2.etag },
          ],
        },
      );
      expect([missing.status, missing.body.error.code, missing.body.error.details.missingParts]).toEqual([
        409,
        'MISSING_PARTS',
        [3],
      ]);
      const short = await companion<{ error: { code: string; message: string } }>(
        endpoint,
        'POST',
        `/multipart/${body.uploadId}/complete`,
        {
          parts: [
            { PartNumber: 1, ETag: p1.etag },
            { PartNumber: 2, ETag: p2.etag },
          ],
        },
      );
      expect([short.status, short.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(short.body.error.message).toContain('parts.0');

      const chunk = await stack.api.chunkRaw(body.uploadId, 0, randomBytes(10));
      expect([chunk.status, chunk.body.error?.code]).toEqual([409, 'WRONG_UPLOAD_ROUTE']);
      const [session] = (await stack.api.init({ channel_id: '7', files: [{ filename: 'd.mp4', size: 10 }] })).body
        .data!;
      const sign = await companion<{ error: { code: string } }>(endpoint, 'GET', `/multipart/${session.uploadId}/1`);
      expect([sign.status, sign.body.error.code]).toEqual([409, 'WRONG_UPLOAD_ROUTE']);

      const stranger = await companion<{ error: { code: string } }>(
        `${stack.url}/api/v1/uppy/${'x'.repeat(43)}`,
        'GET',
        `/multipart/${body.uploadId}`,
      );
      expect([stranger.status, stranger.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
      const noChannel = await companion<{ error: { code: string } }>(endpoint, 'POST', '/multipart', {
        filename: 'e.mp4',
        type: 'video/mp4',
        metadata: {},
      });
      expect([noChannel.status, noChannel.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it("another user's endpoint does not see the upload, and a channel the token does not allow is refused", async () => {
      const bob = await stack.as('bob', ['9']);
      const bobEndpoint = (await bob.call<{ companionEndpoint: string }>('POST', '/api/v1/uppy/endpoints')).body.data!
        .companionEndpoint;
      const forbidden = await companion<{ error: { code: string } }>(bobEndpoint, 'POST', '/multipart', {
        filename: 'f.mp4',
        type: 'video/mp4',
        metadata: { channel_id: '7' },
      });
      expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'CHANNEL_FORBIDDEN']);
      const { body } = await companion<{ uploadId: string }>(endpoint, 'POST', '/multipart', {
        filename: 'g.mp4',
        type: 'video/mp4',
        metadata: { channel_id: '7' },
      });
      const foreign = await companion<{ error: { code: string } }>(bobEndpoint, 'GET', `/multipart/${body.uploadId}`);
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'UPLOAD_NOT_FOUND']);
    });

    it('takes a file sent without multipart: /s3/params, then the form Uppy posts, stored and completed', async () => {
      const params = await companion<{ method: string; url: string; fields: Record<string, string> }>(
        endpoint,
        'GET',
        `/params?${new URLSearchParams({ filename: 'small.mp4', type: 'video/mp4', 'metadata[channel_id]': '7' }).toString()}`,
      );
      expect(params.body).toEqual({
        method: 'POST',
        url: containing(`${stack.url}/api/v1/videos?upload=`),
        fields: { key: anyString() },
      });
      const bytes = randomBytes(3 * MiB + 5);
      const form = new FormData();
      for (const [k, v] of Object.entries(params.body.fields)) form.set(k, v);
      form.set('file', new Blob([bytes]), 'small.mp4');
      const res = await fetch(params.body.url, { method: 'POST', body: form });
      const answer = (await res.json()) as { videoId: string; location: string };
      expect(res.status).toBe(201);
      // Uppy reports the form's URL without its query, then "/" and the key: the Video's URL.
      const uppyLocation = `${params.body.url.split('?')[0]}/${params.body.fields.key}`;
      expect(uppyLocation).toBe(`${stack.url}/api/v1/videos/${answer.videoId}`);
      expect([answer.location, res.headers.get('location')]).toEqual([uppyLocation, uppyLocation]);
      const video = await stack.api.call<{ videoId: string; filename: string }>(
        'GET',
        `/api/v1/videos/${answer.videoId}`,
      );
      expect(video.body.data).toMatchObject({ videoId: answer.videoId, filename: 'small.mp4' });
      const row = await videoRow(answer.videoId);
      expect(row.size).toBe(String(bytes.length));
      expect(await sha256OfStream(await stack.storage.readRange(row.storage_key, 0))).toBe(sha256(bytes));

      // The form's token is the endpoint's: another one, or none, is refused before a byte is stored.
      const forged = params.body.url.replace(/uppy=[^&]+/, `uppy=${'x'.repeat(43)}`);
      const refused = await fetch(forged, { method: 'POST', body: form });
      expect(refused.status).toBe(401);
      const bare = await fetch(`${stack.url}/api/v1/videos`, { method: 'POST', body: form });
      expect(bare.status).toBe(401);
    });

    it('an error reads as CODE: message in the status text, which is all Uppy shows of it', async () => {
      const erin = await stack.as('erin', ['9']);
      const erinEndpoint = (await erin.call<{ companionEndpoint: string }>('POST', '/api/v1/uppy/endpoints')).body.data!
        .companionEndpoint;
      const res = await request(`${erinEndpoint}/s3/multipart`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'x.mp4', type: 'video/mp4', metadata: { channel_id: '7' } }),
      });
      await res.body.dump();
      expect(res.statusCode).toBe(403);
      expect(res.statusText).toBe('CHANNEL_FORBIDDEN: you may not upload to channel 7');
    });

    it("counts Uppy uploads against the user's create limit, whoever calls; a token that allows no channel mints no endpoint", async () => {
      const carol = await stack.as('carol', []);
      const none = await carol.call<never>('POST', '/api/v1/uppy/endpoints');
      expect([none.status, none.body.error?.code]).toEqual([403, 'CHANNEL_FORBIDDEN']);

      const dave = await stack.as('dave', ['7']);
      const daveEndpoint = (await dave.call<{ companionEndpoint: string }>('POST', '/api/v1/uppy/endpoints')).body.data!
        .companionEndpoint;
      const create = () =>
        companion<{ error?: { code: string } }>(daveEndpoint, 'POST', '/multipart', {
          filename: 'r.mp4',
          type: 'video/mp4',
          metadata: { channel_id: '7' },
        });
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT_CREATE + 1; i++) statuses.push((await create()).status);
      expect(statuses).toEqual([...Array<number>(LIMIT_CREATE).fill(200), 429]);
      // The limit is dave's, not the address's: alice, calling from the same address, is not held back.
      const alice = await companion(endpoint, 'POST', '/multipart', {
        filename: 'a.mp4',
        type: 'video/mp4',
        metadata: { channel_id: '7' },
      });
      expect(alice.status).toBe(200);
    });
  });

  describe('in Chromium, configured with the endpoint alone', () => {
    let pages: PageServer;
    let browser: Browser;
    const dir = mkdtempSync(join(tmpdir(), 'reelay-uppy-'));
    const site = join(dir, 'site');
    const small = { name: 'small.mp4', path: join(dir, 'small.mp4'), sha: '' };
    const big = { name: 'big.mp4', path: join(dir, 'big.mp4'), sha: '' };

    beforeAll(async () => {
      for (const [file, size] of [
        [small, 10 * MiB],
        [big, 200 * MiB],
      ] as const) {
        const hash = createHash('sha256');
        const bytes = randomBytes(size);
        hash.update(bytes);
        writeFileSync(file.path, bytes);
        file.sha = hash.digest('hex');
      }
      await bundleForBrowser(
        "export { default as Uppy } from '@uppy/core'; export { default as AwsS3 } from '@uppy/aws-s3';",
        join(site, 'uppy.js'),
      );
      for (const name of ['index.html', 'page.js']) copyFileSync(resolve('test/browser/uppy', name), join(site, name));
      pages = await servePages(site, pagePort);
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await pages?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    type UppyEvent = { type: string; name?: string; location?: string; successful?: number; failed?: number };
    const eventsOf = (page: Page) =>
      page.evaluate(() => (globalThis as unknown as { uppyEvents: UppyEvent[] }).uppyEvents);
    const completions = async (page: Page, count: number) => {
      await page.waitForFunction(
        (n) =>
          (globalThis as unknown as { uppyEvents: UppyEvent[] }).uppyEvents.filter((e) => e.type === 'complete')
            .length >= n,
        count,
        { timeout: 150_000 },
      );
      return eventsOf(page);
    };

    async function expectStored(location: string | undefined, file: { name: string; sha: string }): Promise<void> {
      // Uppy's uploadURL is the Video's URL, for a file sent whole as for one sent in parts.
      const videoId = location?.split('/').pop() ?? '';
      expect(location).toBe(`${stack.url}/api/v1/videos/${videoId}`);
      const row = await videoRow(videoId);
      expect(row).toMatchObject({ filename: file.name, channel_id: '7' });
      expect(await sha256OfStream(await stack.storage.readRange(row.storage_key, 0))).toBe(file.sha);
      expect(await (await stack.queue.getJob(processVideoJobId(videoId)))?.getState()).toBe('waiting');
    }

    it('uploads a 10 MiB file (whole) and a 200 MiB file (multipart); a part that keeps failing comes back with retryAll', async () => {
      const page = await (await browser.newContext()).newPage();
      // Part 3's PUT is dropped 4 times: Uppy retries it itself 3 times (S3Client's fetcher), then the
      // file fails, and retryAll resumes it from the parts storage lists.
      let dropped = 0;
      await page.route(
        (url) => url.searchParams.get('partNumber') === '3',
        (route: Route) => (route.request().method() === 'PUT' && dropped++ < 4 ? route.abort() : route.continue()),
      );
      await page.goto(`${pages.origin}/?${new URLSearchParams({ endpoint, channel: '7' }).toString()}`);
      await page.locator('#files').setInputFiles([small.path, big.path]);
      await page.evaluate(() => void (globalThis as unknown as { uppy: { upload(): Promise<unknown> } }).uppy.upload());

      const first = await completions(page, 1);
      expect(first.filter((e) => e.type === 'error').map((e) => e.name)).toEqual(['big.mp4']);
      expect(first.find((e) => e.type === 'complete')).toMatchObject({ successful: 1, failed: 1 });

      await page.evaluate(
        () => void (globalThis as unknown as { uppy: { retryAll(): Promise<unknown> } }).uppy.retryAll(),
      );
      const events = await completions(page, 2);
      const success = (name: string) => events.find((e) => e.type === 'success' && e.name === name)?.location;
      expect(dropped).toBe(5); // four dropped PUTs of part 3, then the one after retryAll
      await expectStored(success('small.mp4'), small);
      await expectStored(success('big.mp4'), big);
      await keepScreenshot(page, `uppy-s3-${driver}`);
    }, 240_000);

    it('cancelling aborts the upload in Reelay: the DELETE passes CORS, and the upload then answers 410', async () => {
      const page = await (await browser.newContext()).newPage();
      await page.goto(`${pages.origin}/?${new URLSearchParams({ endpoint, channel: '7' }).toString()}`);
      await page.locator('#files').setInputFiles([big.path]);
      const uploadId = await page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            type File = { s3Multipart?: { uploadId: string } };
            const uppy = (globalThis as unknown as { uppy: PageUppy }).uppy;
            uppy.on('s3-multipart:part-uploaded', (file: File) => {
              const id = uppy.getFile((file as { id: string }).id)?.s3Multipart?.uploadId ?? '';
              uppy.cancelAll();
              resolve(id);
            });
            void uppy.upload();
          }),
      );
      expect(uploadId).toMatch(/^[0-9a-f-]{36}$/);
      const progress = await eventually(
        () => stack.api.progress(uploadId),
        (p) => p.status === 410,
        10_000,
      );
      expect([progress.status, progress.body.error?.code]).toEqual([410, 'UPLOAD_ABORTED']);
    });
  });
});
