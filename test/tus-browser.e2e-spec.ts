/**
 * tus in Chromium, from a page on another origin, on both drivers: tus-js-client's browser build uploads
 * and resumes after a page reload (its localStorage fingerprints), and stock Uppy (@uppy/core + @uppy/tus,
 * configured only with endpoint, the Authorization header and meta.channel_id) uploads a batch of a 10 MiB
 * and a 200 MiB file while one PATCH is aborted by the network and retried by Uppy. Each video is checked
 * in PostgreSQL and by the sha256 of what landed in storage.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { launchChromium, servePages, type PageServer } from './support/browser.js';
import { bundleForBrowser } from './support/bundle.js';
import { sha256OfStream } from './support/files.js';
import { DRIVERS, freePort, MiB, startStack, type Stack } from './support/stack.js';

/**
 * The page's globals as the functions run in it see them: this file compiles without the DOM library
 * (Uppy's own types would pull it into every file of the program), so they are spelled out here.
 */
interface PageFile {
  name: string;
  type: string;
  size: number;
}
interface PageUppy {
  use(plugin: unknown, options: object): PageUppy;
  addFile(file: { name: string; type: string; data: PageFile }): void;
  upload(): Promise<{ successful?: PageFile[]; failed?: Array<PageFile & { error?: unknown }> } | undefined>;
}
interface PageGlobals {
  clients: { tus: typeof import('tus-js-client'); Uppy: new (options: object) => PageUppy; Tus: unknown };
  document: { getElementById(id: string): { files: ArrayLike<PageFile> } };
}

interface TestFile {
  name: string;
  path: string;
  sha256: string;
  size: number;
}

const PAGE = `<!doctype html><meta charset="utf-8"><input type="file" id="files" multiple>
<script type="module">
  import * as clients from './clients.js';
  window.clients = clients;
  document.body.dataset.ready = 'true';
</script>`;

/** Writes `size` random bytes to `path` a MiB at a time (never the whole file in memory). */
async function writeRandom(dir: string, name: string, size: number): Promise<TestFile> {
  const path = join(dir, name);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let written = 0; written < size; written += MiB) {
    const bytes = randomBytes(Math.min(MiB, size - written));
    hash.update(bytes);
    if (!out.write(bytes)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return { name, path, sha256: hash.digest('hex'), size };
}

const dir = mkdtempSync(join(tmpdir(), 'reelay-tus-browser-'));
const pagesDir = join(dir, 'pages');
let small: TestFile;
let big: TestFile;

beforeAll(async () => {
  mkdirSync(pagesDir);
  writeFileSync(join(pagesDir, 'index.html'), PAGE);
  await bundleForBrowser(
    `export * as tus from 'tus-js-client'; export { default as Uppy } from '@uppy/core'; export { default as Tus } from '@uppy/tus';`,
    join(pagesDir, 'clients.js'),
  );
  small = await writeRandom(dir, 'small.mp4', 10 * MiB);
  big = await writeRandom(dir, 'big.mp4', 200 * MiB);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DRIVERS)('tus in Chromium on the %s driver', (driver) => {
  let stack: Stack;
  let pages: PageServer;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startStack({ driver, env: { CORS_ORIGINS: `http://127.0.0.1:${port}` } });
    pages = await servePages(pagesDir, port);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await stack?.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context?.close();
  });

  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    await page.goto(pages.origin);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    return page;
  }

  async function expectVideo(filename: string, source: TestFile): Promise<void> {
    const { rows } = await stack.db.query<{ size: string; storage_key: string }>(
      'SELECT size, storage_key FROM videos WHERE filename = $1',
      [filename],
    );
    expect(rows).toHaveLength(1);
    expect(Number(rows[0].size)).toBe(source.size);
    expect(await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0))).toBe(source.sha256);
  }

  /** Runs tus-js-client in the page on the picked file; answers its outcome and the PATCHes' Upload-Offset. */
  function tusInPage(page: Page, filename: string): Promise<{ outcome: string; offsets: number[] }> {
    return page.evaluate(
      ({ endpoint, token, filename }) =>
        new Promise<{ outcome: string; offsets: number[] }>((resolve) => {
          const page = globalThis as unknown as PageGlobals;
          const { tus } = page.clients;
          const file = page.document.getElementById('files').files[0] as unknown as Blob & PageFile;
          const offsets: number[] = [];
          const upload = new tus.Upload(file, {
            endpoint,
            headers: { Authorization: `Bearer ${token}` },
            metadata: { filename, filetype: file.type, channel_id: '7' },
            chunkSize: 3 * 1024 * 1024,
            retryDelays: [],
            onBeforeRequest: (req) => {
              if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
            },
            onSuccess: () => resolve({ outcome: 'success', offsets }),
            onError: (error) => resolve({ outcome: `error: ${String(error)}`, offsets }),
          });
          void upload.findPreviousUploads().then((previous) => {
            if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
            upload.start();
          });
        }),
      { endpoint: `${stack.url}/api/v1/tus`, token: stack.api.token!, filename },
    );
  }

  it('tus-js-client uploads and resumes after a page reload without sending from 0', async () => {
    const page = await openPage();
    let patches = 0;
    // The network drops every PATCH after the second.
    await page.route('**/api/v1/tus/*', (route: Route) =>
      route.request().method() === 'PATCH' && ++patches > 2 ? route.abort() : route.continue(),
    );
    await page.locator('#files').setInputFiles(small.path);
    const first = await tusInPage(page, 'resumed.mp4');
    expect(first.outcome).toMatch(/^error/);
    await page.unrouteAll({ behavior: 'wait' });

    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    await page.locator('#files').setInputFiles(small.path);
    const second = await tusInPage(page, 'resumed.mp4');
    expect(second.outcome).toBe('success');
    expect(second.offsets[0]).toBe(6 * MiB);
    await expectVideo('resumed.mp4', small);
  });

  it('Uppy uploads a 10 MiB and a 200 MiB file; a PATCH the network aborts is retried by Uppy', async () => {
    const page = await openPage();
    let patches = 0;
    // The network drops the first PATCH.
    await page.route('**/api/v1/tus/*', (route: Route) =>
      route.request().method() === 'PATCH' && patches++ === 0 ? route.abort() : route.continue(),
    );
    await page.locator('#files').setInputFiles([small.path, big.path]);
    const result = await page.evaluate(
      async ({ endpoint, token }) => {
        const page = globalThis as unknown as PageGlobals;
        const { Uppy, Tus } = page.clients;
        const uppy = new Uppy({ meta: { channel_id: '7' } }).use(Tus, {
          endpoint,
          headers: { Authorization: `Bearer ${token}` },
        });
        const files = Array.from(page.document.getElementById('files').files);
        for (const file of files) uppy.addFile({ name: file.name, type: file.type, data: file });
        const outcome = await uppy.upload();
        return {
          successful: (outcome?.successful ?? []).map((f) => f.name),
          failed: (outcome?.failed ?? []).map((f) => `${f.name}: ${String(f.error)}`),
        };
      },
      { endpoint: `${stack.url}/api/v1/tus`, token: stack.api.token! },
    );
    expect(result.failed).toEqual([]);
    expect(result.successful.sort()).toEqual(['big.mp4', 'small.mp4']);
    expect(patches).toBeGreaterThanOrEqual(3); // the dropped one, Uppy's retry of it, the other file's
    await expectVideo('small.mp4', small);
    await expectVideo('big.mp4', big);
  }, 180_000);
});
