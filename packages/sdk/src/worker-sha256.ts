/**
 * SHA-256 in browsers, off the page's thread: one module Web Worker per file (sha256.worker.ts), ended
 * when the hash is known or the upload is aborted.
 */
import type { HashAnswer, HashRequest } from './sha256.worker.js';
import type { Sha256Hasher } from './sha256.js';

interface WorkerLike {
  onmessage: ((event: { data: HashAnswer }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
  postMessage(request: HashRequest): void;
  terminate(): void;
}

/** The hasher; `startWorker` makes the worker (browser.ts gives one a bundler can follow). */
export function workerSha256(startWorker: () => WorkerLike): Sha256Hasher {
  return (source, signal) =>
    new Promise<string>((resolve, reject) => {
      signal.throwIfAborted();
      const worker = startWorker();
      const end = (settle: () => void) => {
        signal.removeEventListener('abort', onAbort);
        worker.terminate();
        settle();
      };
      const onAbort = () => end(() => reject(signal.reason as Error));
      signal.addEventListener('abort', onAbort, { once: true });
      worker.onmessage = ({ data }) =>
        end(() => ('sha256' in data ? resolve(data.sha256) : reject(new Error(`hashing failed: ${data.error}`))));
      worker.onerror = (event) =>
        end(() => reject(new Error(`the hashing worker failed to run: ${event.message ?? 'no message'}`)));
      worker.postMessage({ blob: source.slice(0, source.size) });
    });
}

export type { WorkerLike };
