/**
 * Real Chromium for the browser tests (Debian's build, driven by playwright-core; nothing is downloaded),
 * and a static server for the test pages on an origin of their own, so that every call the page makes to
 * the API or to storage is cross-origin, as in production. Screenshots go to test-artifacts/browser/
 * (git-ignored), kept by CI.
 */
import { createReadStream, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from './stack.js';

/** The flags that work as root on this machine kind (shared/browser/README.md); Playwright adds a fresh profile. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const ARTIFACTS = join('test-artifacts', 'browser');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export interface PageServer {
  /** The page's origin, e.g. http://127.0.0.1:41234: pass it to the API's CORS_ORIGINS. */
  origin: string;
  close(): Promise<void>;
}

/** Serves the files of `folder` on 127.0.0.1 at `port` (pick one first with freePort, to set CORS_ORIGINS). */
export async function servePages(folder: string, port: number): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const path = normalize(new URL(req.url ?? '/', 'http://page').pathname).replace(/^(\.\.[/\\])+/, '');
    const file = join(folder, path === '/' ? 'index.html' : path);
    const type = TYPES[extname(file)];
    if (!type || !file.startsWith(folder)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export { freePort };

/** Keeps a screenshot of the page under test-artifacts/browser/<name>.png. */
export async function keepScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
