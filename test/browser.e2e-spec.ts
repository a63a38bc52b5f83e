/**
 * A real browser uploads the seed's way ("Batch Upload for Frontend") from a page on another origin,
 * with real File objects, on both drivers, with the bucket CORS the product sets (s3) or the API's own
 * (disk): nothing in the page is there to work around the server. Each test checks what the page
 * showed, the Video rows, and the sha256 of the bytes that landed in storage; a screenshot of the page
 * at the end of each is kept in test-artifacts/browser/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { keepScreenshot, launchChromium, servePages, type PageServer } from './support/browser.js';
import { sha256OfStream } from './support/files.js';
import { DRIVERS, freePort, MiB, startStack, type Stack } from './support/stack.js';

const PAGES = resolve('test/browser/page');

interface TestFile {
  name: string;
  bytes: Buffer;
  path: string;
}

describe.each(DRIVERS)("a browser uploads the seed's way on the %s driver", (driver) => {
  let stack: Stack;
  let pages: PageServer;
  let browser: Browser;
  let context: BrowserContext;
  const dir = mkdtempSync(join(tmpdir(), 'reelay-browser-'));
  const file = (name: string, size: number): TestFile => {
    const bytes = randomBytes(size);
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return { name, bytes, path };
  };
  // Files up to 16 MiB go whole; larger ones in parts of 5 MiB.
  const small = file('small.mp4', 10 * MiB);
  const big = file('big.mp4', 22 * MiB + 3); // 5 parts: 4 of 5 MiB, then 2 MiB + 3 bytes
  const untyped = file('recording.xyz', 3 * MiB); // Chromium gives it the type ""

  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    stack = await startStack({
      driver,
      env: { CORS_ORIGINS: origin, UPLOAD_SINGLE_MAX_BYTES: String(16 * MiB), UPLOAD_PART_SIZE: String(5 * MiB) },
    });
    pages = await servePages(PAGES, port);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext(); // its own localStorage
  });
  afterEach(async () => {
    await context?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    const query = new URLSearchParams({ api: stack.url, token: stack.api.token!, channel: '7' });
    await page.goto(`${pages.origin}/?${query.toString()}`);
    return page;
  }

  async function pick(page: Page, files: TestFile[]): Promise<void> {
    await page.locator('#files').setInputFiles(files.map((f) => f.path));
  }

  const statusOf = (page: Page, name: string) => page.locator(`li[data-file="${name}"] .status`).innerText();
  const typeOf = (page: Page, name: string) => page.locator(`li[data-file="${name}"] .type`).innerText();

  /** Waits for the page to finish every file; answers what each row says, by file name. */
  async function finished(page: Page, files: TestFile[]): Promise<Record<string, string>> {
    await page.waitForSelector('body[data-done="true"]', { state: 'attached', timeout: 90_000 });
    const statuses: Record<string, string> = {};
    for (const f of files) statuses[f.name] = await statusOf(page, f.name);
    return statuses;
  }

  /** The video the page reported for a file, checked in PostgreSQL and in storage against the file's bytes. */
  async function expectVideo(status: string, source: TestFile, contentType: string): Promise<void> {
    const videoId = /^completed: video ([0-9a-f-]{36})$/.exec(status)?.[1];
    expect([source.name, status, videoId]).toEqual([source.name, status, expect.any(String)]);
    const { rows } = await stack.db.query<{
      filename: string;
      size: string;
      content_type: string;
      storage_key: string;
    }>('SELECT filename, size, content_type, storage_key FROM videos WHERE id = $1', [videoId]);
    expect(rows).toHaveLength(1);
    expect({ ...rows[0], storage_key: undefined }).toEqual({
      filename: source.name,
      size: String(source.bytes.length),
      content_type: contentType,
      storage_key: undefined,
    });
    const sha = createHash('sha256').update(source.bytes).digest('hex');
    expect(await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0))).toBe(sha);
  }

  /** PUTs of parts (partNumber in the query), to storage or to the disk driver's URLs. */
  const partNumberOf = (url: string): number | null => {
    const value = new URL(url).searchParams.get('partNumber');
    return value === null ? null : Number(value);
  };

  it('uploads a 10 MiB file whole, a 22 MiB file in parts and a file whose type is ""', async () => {
    const page = await openPage();
    await pick(page, [small, big, untyped]);
    const statuses = await finished(page, [small, big, untyped]);
    expect(await typeOf(page, small.name)).toBe('video/mp4');
    expect(await typeOf(page, untyped.name)).toBe('application/octet-stream');
    await expectVideo(statuses[small.name], small, 'video/mp4');
    await expectVideo(statuses[big.name], big, 'video/mp4');
    await expectVideo(statuses[untyped.name], untyped, 'application/octet-stream');
    const bars = await page
      .locator('progress')
      .evaluateAll((elements) => elements.map((e) => (e as unknown as { value: number }).value));
    expect(bars).toEqual([100, 100, 100]);
    await keepScreenshot(page, `batch-${driver}`);
  });

  it('recovers a part whose request was aborted through complete, progress and retry', async () => {
    const page = await openPage();
    let dropped = 0;
    await page.route(
      (url) => partNumberOf(url.href) === 2,
      (route: Route) => (route.request().method() === 'PUT' && dropped++ === 0 ? route.abort() : route.continue()),
    );
    await pick(page, [big]);
    const statuses = await finished(page, [big]);
    expect(dropped).toBeGreaterThanOrEqual(2); // the dropped PUT, then the one through retry's URL
    expect(await page.locator('#log').innerText()).toContain('big.mp4: retrying chunks 1');
    await expectVideo(statuses[big.name], big, 'video/mp4');
    await keepScreenshot(page, `retry-${driver}`);
  });

  it('aborts an upload: the page says so, and the API and storage let it go', async () => {
    const page = await openPage();
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => partNumberOf(url.href) === 2,
      async (route: Route) => {
        await held;
        await route.continue();
      },
    );
    await pick(page, [big]);
    await page.locator('li .status', { hasText: 'uploading chunk 2 of 5' }).waitFor();
    await page.locator(`li[data-file="${big.name}"] button`).click();
    release();
    await finished(page, [big]);
    expect(await statusOf(page, big.name)).toBe('aborted');
    const { rows } = await stack.db.query<{
      id: string;
      state: string;
      storage_key: string;
      multipart_upload_id: string;
    }>(
      `SELECT id, state, storage_key, multipart_upload_id FROM upload_sessions WHERE filename = $1 ORDER BY created_at DESC LIMIT 1`,
      [big.name],
    );
    expect(rows[0].state).toBe('aborted');
    await expect(stack.storage.listParts(rows[0].storage_key, rows[0].multipart_upload_id)).rejects.toMatchObject({
      code: 'NO_SUCH_UPLOAD',
    });
    const progress = await stack.api.progress(rows[0].id);
    expect([progress.status, progress.body.error?.code]).toEqual([410, 'UPLOAD_ABORTED']);
    await keepScreenshot(page, `abort-${driver}`);
  });

  it('resumes after a reload: picking the same file sends only the chunks storage lacks', async () => {
    const page = await openPage();
    // The first visit loses every part after the second (the network drops them)...
    await page.route(
      (url) => (partNumberOf(url.href) ?? 0) >= 3,
      (route: Route) => (route.request().method() === 'PUT' ? route.abort() : route.continue()),
    );
    await pick(page, [big]);
    expect((await finished(page, [big]))[big.name]).toBe('failed: chunks still missing after 3 tries');
    await page.unrouteAll({ behavior: 'wait' });

    // ... then the page reloads, and the user picks the same file again.
    await page.reload();
    const sent: number[] = [];
    page.on('request', (request) => {
      const part = partNumberOf(request.url());
      if (request.method() === 'PUT' && part !== null) sent.push(part);
    });
    await pick(page, [big]);
    const statuses = await finished(page, [big]);
    expect(await page.locator('#log').innerText()).toContain('big.mp4: resuming: 2 of 5 chunks already stored');
    expect(sent.sort()).toEqual([3, 4, 5]);
    await expectVideo(statuses[big.name], big, 'video/mp4');
    await keepScreenshot(page, `resume-${driver}`);
  });
});
