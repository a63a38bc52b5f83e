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

export * from './index.js';
export { XhrTransport, browserConnectivity } from './browser-transport.js';

/** A Reelay with the browser's transport, network state and (when there is one) localStorage. */
export function createReelay(
  options: Omit<ReelayOptions, 'transport'> & Partial<Pick<ReelayOptions, 'transport'>>,
): Reelay {
  const storage = (globalThis as { localStorage?: WebStorageLike }).localStorage;
  return new Reelay({
    transport: new XhrTransport(),
    connectivity: browserConnectivity,
    resume: storage ? new WebStorageResumeStore(storage) : undefined,
    eventSource: (globalThis as { EventSource?: EventSourceConstructor }).EventSource ?? null,
    ...options,
  });
}
