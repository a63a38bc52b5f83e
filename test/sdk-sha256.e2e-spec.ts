/**
 * The SDK's declared SHA-256 (issue 19, integrity), on both drivers with the built API and worker: in Node
 * (node:crypto over a read stream) and in Chromium (hash-wasm in a module Web Worker, the SDK and its worker
 * bundled by esbuild as a frontend's build would), the hash the SDK declares with complete equals what
 * `sha256sum` prints for the file; a wrong one fails the video with CHECKSUM_MISMATCH.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { createReelay, fileFromPath } from '../packages/sdk/src/node.js';
import { launchChromium, servePages, type PageServer } from './support/browser.js';
import { bundleForBrowser } from './support/bundle.js';
import { randomFile } from './support/files.js';
import { makeVideo } from './support/media.js';
import { DRIVERS, freePort, MiB, startStack, type Stack } from './support/stack.js';

/** The page's globals as the functions run in it see them (this file compiles without the DOM library). */
interface PageFile {
  name: string;
}
interface PageGlobals {
  sdk: typeof import('../packages/sdk/src/browser.js');
  workersStarted: number;
  document: { getElementById(id: string): { files: ArrayLike<PageFile> } };
}

/** Counts the Web Workers the page starts, then loads the SDK's bundle. */
const PAGE = `<!doctype html><meta charset="utf-8"><input type="file" id="files" multiple>
<script type="module">
  const Native = window.Worker;
  window.workersStarted = 0;
  window.Worker = class extends Native {
    constructor(...args) { super(...args); window.workersStarted++; }
  };
  window.sdk = await import('./sdk.js');
  document.body.dataset.ready = 'true';
</script>`;

const dir = mkdtempSync(join(tmpdir(), 'reelay-sdk-sha256-'));
const pagesDir = join(dir, 'pages');
const clipPath = join(dir, 'clip.mp4');
const bigPath = join(dir, 'big.bin');

async function sha256sum(path: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sha256sum', [path]);
  return stdout.split(' ')[0];
}

beforeAll(async () => {
  mkdirSync(pagesDir);
  writeFileSync(join(pagesDir, 'index.html'), PAGE);
  const sdk = resolve('dist/packages/sdk/src');
  // The SDK's browser entry, and its worker beside it, where `new URL('./sha256.worker.js', import.meta.url)` looks.
  await bundleForBrowser(`export * from '${sdk}/browser.js';`, join(pagesDir, 'sdk.js'));
  await bundleForBrowser(`import '${sdk}/sha256.worker.js';`, join(pagesDir, 'sha256.worker.js'));
  writeFileSync(clipPath, await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false }));
  writeFileSync(bigPath, randomFile(13 * MiB + 5)); // three parts of 5 MiB in tests
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DRIVERS)('the SDK declares a sha256 on the %s driver', (driver) => {
  let stack: Stack;
  let pages: PageServer;
  let browser: Browser;

  beforeAll(async () => {
    const port = await freePort();
    stack = await startStack({ driver, worker: true, env: { CORS_ORIGINS: `http://127.0.0.1:${port}` } });
    pages = await servePages(pagesDir, port);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await stack?.stop();
  });

  async function declared(videoId: string): Promise<string | null> {
    const { rows } = await stack.db.query<{ declared_sha256: string | null }>(
      'SELECT declared_sha256 FROM videos WHERE id = $1',
      [videoId],
    );
    return rows[0].declared_sha256;
  }

  it('in Node: hashes each file while it uploads, and the video is checked against it', async () => {
    const reelay = createReelay({ apiUrl: stack.url, token: stack.api.token!, sha256: true });
    const result = await reelay.uploadBatch([await fileFromPath(clipPath), await fileFromPath(bigPath)], {
      channelId: '123',
      waitForProcessing: true,
      pollMs: 200,
    });
    const [clip, big] = result.files;
    expect(clip).toMatchObject({ status: 'ready', sha256: await sha256sum(clipPath) });
    expect(clip.video).toMatchObject({ status: 'ready', sha256: await sha256sum(clipPath) });
    expect(await declared(clip.videoId!)).toBe(await sha256sum(clipPath));
    // Random bytes: the hash matches, then the probe finds no video.
    expect(big.sha256).toBe(await sha256sum(bigPath));
    expect(await declared(big.videoId!)).toBe(await sha256sum(bigPath));
    expect((big.video as { failureReason: string }).failureReason).toMatch(/not a video/);
  });

  it("in Node: a hash that is not the file's fails the video with CHECKSUM_MISMATCH", async () => {
    const wrong = '0'.repeat(64);
    const reelay = createReelay({
      apiUrl: stack.url,
      token: stack.api.token!,
      sha256Hasher: () => Promise.resolve(wrong),
    });
    const result = await reelay.uploadBatch([await fileFromPath(clipPath)], {
      channelId: '123',
      sha256: true,
      waitForProcessing: true,
      pollMs: 200,
    });
    expect(result.files[0]).toMatchObject({ status: 'failed', sha256: wrong });
    expect((result.files[0].video as { failureReason: string }).failureReason).toBe(
      `CHECKSUM_MISMATCH: the upload declared sha256 ${wrong}, the stored file hashes to ${await sha256sum(clipPath)}`,
    );
  });

  it('in Chromium: hashes each file in a Web Worker, and declares what sha256sum prints', async () => {
    const context = await browser.newContext();
    try {
      const page: Page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pages.origin);
      await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
      await page.locator('#files').setInputFiles([clipPath, bigPath]);
      const outcome = await page.evaluate(
        async ({ apiUrl, token }) => {
          const page = globalThis as unknown as PageGlobals;
          const files = Array.from(page.document.getElementById('files').files);
          const reelay = page.sdk.createReelay({ apiUrl, token, sha256: true });
          const result = await reelay.uploadBatch(files as never, { channelId: '123' });
          return {
            files: result.files.map((f) => ({ name: f.name, status: f.status, sha256: f.sha256, videoId: f.videoId })),
            workers: page.workersStarted,
          };
        },
        { apiUrl: stack.url, token: stack.api.token! },
      );
      expect(errors).toEqual([]);
      expect(outcome.workers).toBe(2);
      expect(outcome.files.map((f) => [f.name, f.status, f.sha256])).toEqual([
        ['clip.mp4', 'completed', await sha256sum(clipPath)],
        ['big.bin', 'completed', await sha256sum(bigPath)],
      ]);
      expect(await declared(outcome.files[0].videoId!)).toBe(await sha256sum(clipPath));
      expect(await declared(outcome.files[1].videoId!)).toBe(await sha256sum(bigPath));
    } finally {
      await context.close();
    }
  });
});
