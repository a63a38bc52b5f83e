/**
 * The demo page (/demo) and the SDK's browser build in real Chromium, on both drivers, with part URLs
 * that live 5 seconds: a batch of three files (one above the single-PUT limit, one of type "", one real
 * video that becomes `ready` with its thumbnail), a part the network drops twice, 3 seconds offline
 * mid-upload, a reload mid-upload after which the same file picked again sends only the missing parts,
 * abort, and a processing result shown as soon as the server's live events tell it. Each checks what the
 * page shows, the Video rows, and the sha256 of what storage holds; a screenshot of each test's page is
 * kept in test-artifacts/browser/.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { keepScreenshot, launchChromium } from './support/browser.js';
import { eventually, sha256OfStream } from './support/files.js';
import { makeVideo } from './support/media.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

interface TestFile {
  name: string;
  bytes: Buffer;
  path: string;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
/** The 1-based part a request PUTs, or null for any other request. */
const partOf = (req: Request) =>
  req.method() === 'PUT' && new URL(req.url()).searchParams.get('partNumber')
    ? Number(new URL(req.url()).searchParams.get('partNumber'))
    : null;

describe.each(DRIVERS)('the demo page and the browser SDK on the %s driver', (driver) => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'reelay-demo-'));
  const file = (name: string, bytes: Buffer): TestFile => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return { name, bytes, path };
  };
  const big = file('big.mp4', randomBytes(23 * MiB + 5)); // 5 parts of 5 MiB, the last 3 MiB + 5 bytes
  const untyped = file('recording.xyz', randomBytes(2 * MiB)); // Chromium gives it the type ""
  let clip: TestFile;

  beforeAll(async () => {
    stack = await startStack({ driver, worker: true, env: { UPLOAD_URL_TTL_SECONDS: '5' } });
    clip = file('clip.mp4', await makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: false }));
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto(`${stack.url}/demo/`);
    await page.fill('#token', stack.api.token!);
    await page.dispatchEvent('#token', 'change');
  });
  afterEach(async () => {
    await keepScreenshot(page, `demo-${driver}-${expect.getState().currentTestName?.split(' ').slice(-4).join('-')}`);
    await context.close();
  });

  const pick = (...files: TestFile[]) =>
    page.setInputFiles(
      '#files',
      files.map((f) => f.path),
    );
  const done = (value = 'true') => page.waitForSelector(`body[data-done="${value}"]`, { timeout: 60_000 });
  const stateOf = (name: string) => page.getAttribute(`li[data-file="${name}"] .state`, 'data-state');

  /** Picks the files with every part PUT held `delayMs` on its way, and resolves once the first part left. */
  async function pickWithSlowParts(delayMs: number, ...files: TestFile[]): Promise<void> {
    await page.route(
      (url) => url.searchParams.has('partNumber'),
      async (route) => {
        await new Promise((r) => setTimeout(r, delayMs));
        await route.continue().catch(() => undefined);
      },
    );
    const firstPart = page.waitForRequest((req) => partOf(req) !== null);
    await pick(...files);
    await firstPart;
  }

  /** The video of the upload of `name` (the last one), and the sha256 of its stored object. */
  async function stored(name: string): Promise<{ rows: number; sha256: string; status: string }> {
    const { rows } = await stack.db.query<{ storage_key: string; status: string }>(
      'SELECT storage_key, status FROM videos WHERE filename = $1 ORDER BY created_at DESC',
      [name],
    );
    return {
      rows: rows.length,
      status: rows[0].status,
      sha256: await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0)),
    };
  }

  it('uploads a batch of three with a bar each, and shows the processed video', async () => {
    expect(await page.isHidden('#dev-token')).toBe(true); // AUTH_JWT_SECRET is set: no development tokens
    await pick(big, untyped, clip);
    await done();
    expect(await stateOf('clip.mp4')).toBe('ready');
    // Random bytes are no video: processing says so on the page.
    expect(await stateOf('big.mp4')).toBe('failed');
    expect(await page.textContent('li[data-file="big.mp4"] .media')).toMatch(/Processing failed/);
    expect(await page.textContent('li[data-file="clip.mp4"] .media')).toMatch(/^320×240, 2 s$/);
    const thumbnailWidth = await page.$eval(
      'li[data-file="clip.mp4"] img',
      (img) => (img as unknown as { naturalWidth: number }).naturalWidth,
    );
    expect(thumbnailWidth).toBeGreaterThan(0);
    expect(await page.getAttribute('#batch-progress', 'value')).toBe('100');
    expect(await page.textContent('#announcer')).toMatch(/\w/);
    for (const f of [big, untyped, clip]) {
      expect(await stored(f.name)).toMatchObject({ rows: 1, sha256: sha256(f.bytes) });
    }
    const { rows } = await stack.db.query<{ content_type: string }>(
      'SELECT content_type FROM videos WHERE filename = $1',
      ['recording.xyz'],
    );
    expect(rows[0].content_type).toBe('application/octet-stream');
  });

  it("shows the processing result live from the server's events", async () => {
    // Reads of the video itself are held: what the page shows before they go comes from the events.
    const held: Array<() => Promise<void>> = [];
    let holding = true;
    await page.route(/\/api\/v1\/videos\/[0-9a-f-]{36}$/, (route) =>
      holding ? void held.push(() => route.continue()) : route.continue(),
    );
    await pick(clip);
    await page.waitForSelector('#server-events li[data-type="video.ready"]', { timeout: 30_000 });
    await page.waitForSelector('body[data-events="live"]');
    expect(await page.textContent('li[data-file="clip.mp4"] .media')).toMatch(/^320×240, 2 s$/);
    await page.waitForFunction('document.querySelector(\'li[data-file="clip.mp4"] img\')?.naturalWidth > 0');
    const lines = await page.$$eval('#server-events li', (items) =>
      items.map((li) => (li as unknown as { dataset: { type: string } }).dataset.type),
    );
    expect(lines).toEqual(
      expect.arrayContaining(['progress', 'upload.completed', 'batch.completed', 'processing.started', 'video.ready']),
    );
    expect(await page.textContent('#server-events li[data-type="video.ready"]')).toMatch(
      /clip\.mp4: video\.ready 320×240, 2 s/,
    );
    holding = false;
    for (const release of held) await release();
    await done();
    expect(await stateOf('clip.mp4')).toBe('ready');
  });

  it('sends again a part the network dropped twice', async () => {
    let dropped = 0;
    await page.route(
      (url) => url.searchParams.get('partNumber') === '2',
      async (route) => (dropped++ < 2 ? route.abort('connectionreset') : route.continue()),
    );
    await pick(big);
    await done();
    expect(dropped).toBe(3);
    expect(await stored('big.mp4')).toMatchObject({ sha256: sha256(big.bytes) });
    expect(await stateOf('big.mp4')).toBe('failed'); // processed: not a video
  });

  it('waits out 3 seconds offline, then finishes', async () => {
    // Slow parts, so that the network goes away mid-upload.
    await pickWithSlowParts(400, big);
    await context.setOffline(true);
    await page.waitForSelector('li[data-file="big.mp4"] .state[data-state="offline"]', { timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    await context.setOffline(false);
    await done();
    expect(await stored('big.mp4')).toMatchObject({ sha256: sha256(big.bytes) });
  });

  it('resumes after a reload: the same file picked again sends only the missing parts', async () => {
    // The first two parts reach storage; every later one is dropped by the network until the reload,
    // so that what storage holds at the reload is known.
    const stored1: number[] = [];
    let admitted = 0;
    await page.route(
      (url) => url.searchParams.has('partNumber'),
      async (route) => {
        if (admitted++ >= 2) return route.abort('connectionreset').catch(() => undefined);
        const response = await route.fetch().catch(() => null);
        if (!response) return route.abort().catch(() => undefined);
        if (response.ok()) stored1.push(Number(new URL(route.request().url()).searchParams.get('partNumber')));
        await route.fulfill({ response }).catch(() => undefined);
      },
    );
    await pick(big);
    expect(
      await eventually(
        () => Promise.resolve(stored1.length),
        (n) => n >= 2,
        20_000,
      ),
    ).toBe(2);
    await page.reload();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    const afterReload: number[] = [];
    page.on('request', (req) => {
      const part = partOf(req);
      if (part !== null) afterReload.push(part);
    });
    await pick(big);
    await done();
    const storedBefore = new Set(stored1);
    expect(afterReload.length).toBeGreaterThan(0);
    expect(afterReload.some((part) => storedBefore.has(part))).toBe(false);
    expect(new Set([...storedBefore, ...afterReload]).size).toBe(5);
    expect(await stored('big.mp4')).toMatchObject({ sha256: sha256(big.bytes) });
  });

  it('pauses and resumes: the same upload goes on where it stopped', async () => {
    await pickWithSlowParts(400, big);
    await page.click('#pause');
    await done('paused');
    expect(await stateOf('big.mp4')).toBe('paused');
    expect(await page.textContent('#pause')).toBe('Resume');
    const { rows: paused } = await stack.db.query<{ id: string; state: string }>(
      `SELECT id, state FROM upload_sessions WHERE filename = 'big.mp4' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(paused[0].state).toBe('open');
    await page.click('#pause');
    await done();
    const { rows: resumed } = await stack.db.query<{ id: string; state: string }>(
      `SELECT id, state FROM upload_sessions WHERE filename = 'big.mp4' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(resumed[0]).toEqual({ id: paused[0].id, state: 'completed' });
    expect(await stored('big.mp4')).toMatchObject({ sha256: sha256(big.bytes) });
  });

  it('aborts: the page says so and the server drops the upload', async () => {
    await pickWithSlowParts(500, untyped, big);
    await page.click('#abort');
    await done();
    expect([await stateOf('recording.xyz'), await stateOf('big.mp4')]).toEqual(['aborted', 'aborted']);
    const { rows } = await stack.db.query<{ state: string }>(
      `SELECT state FROM upload_sessions WHERE filename = 'big.mp4' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(rows[0].state).toBe('aborted');
  });
});
