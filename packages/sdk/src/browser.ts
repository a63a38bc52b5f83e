/**
 * The SDK in a browser: XHR for byte-level upload progress, `navigator.onLine` to wait out a lost
 * network, localStorage to resume after a reload, and EventSource for the server's live events.
 *
 *   const reelay = createReelay({ apiUrl: 'https://upload.example.com', token });
 *   const result = await reelay.uploadBatch([...input.files], { channelId: '123', onProgress: render });
 */
import { browserConnectivity, XhrTransport } from './browser-transport.js';
import type { EventSourceConstructor } from './events.js';
import { Reelay, type ReelayOptions } from './reelay.js';
import { type WebStorageLike, WebStorageResumeStore } from './resume-store.js';
import { type WorkerLike, workerSha256 } from './worker-sha256.js';

/** The Worker constructor, as far as it is used (the SDK builds without DOM typings). */
declare const Worker: new (url: URL | string, options: { type: 'module' }) => WorkerLike;

export * from './index.js';
export { XhrTransport, browserConnectivity } from './browser-transport.js';
export { workerSha256 } from './worker-sha256.js';

/** A Reelay with the browser's transport, network state and (when there is one) localStorage. */
export function createReelay(
  options: Omit<ReelayOptions, 'transport'> &
    Partial<Pick<ReelayOptions, 'transport'>> & {
      /** Where sha256.worker.js is served, when no bundler placed it beside this module. */
      sha256WorkerUrl?: URL | string;
    },
): Reelay {
  const { sha256WorkerUrl, ...rest } = options;
  const storage = (globalThis as { localStorage?: WebStorageLike }).localStorage;
  return new Reelay({
    transport: new XhrTransport(),
    connectivity: browserConnectivity,
    resume: storage ? new WebStorageResumeStore(storage) : undefined,
    // Written out in the Worker call, so that bundlers (Vite, webpack 5) bundle the worker with hash-wasm.
    sha256Hasher: workerSha256(() =>
      sha256WorkerUrl
        ? new Worker(sha256WorkerUrl, { type: 'module' })
        : new Worker(new URL('./sha256.worker.js', import.meta.url), { type: 'module' }),
    ),
    eventSource: (globalThis as { EventSource?: EventSourceConstructor }).EventSource ?? null,
    ...rest,
  });
}
