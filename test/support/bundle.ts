/**
 * Bundles stock client libraries from node_modules (Uppy's packages are ESM with bare imports, some of
 * them CommonJS) into one browser script for a test page, with esbuild, as a frontend's own build would.
 * Nothing is downloaded: everything comes from the installed packages.
 */
import { build } from 'esbuild';
import { resolve } from 'node:path';

/**
 * Writes `outfile`: an ES module bundle of `source` (JavaScript that imports packages by name, resolved
 * from the repository's node_modules) for Chromium. Every export of `source` is an export of the bundle.
 */
export async function bundleForBrowser(source: string, outfile: string): Promise<void> {
  await build({
    stdin: { contents: source, resolveDir: resolve('.'), sourcefile: 'page-entry.js', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    outfile,
    logLevel: 'error',
  });
}
