/**
 * The browser's hashing thread: a module Web Worker that answers the SHA-256 of the Blob (a File) posted
 * to it, read as a stream and hashed piece by piece with hash-wasm (WebAssembly; WebCrypto has no
 * incremental digest). Posting a File hands over a reference: its bytes are read from disk here, never
 * copied whole. Bundlers (Vite, webpack 5, Parcel) pick this file up from browser.ts's
 * `new Worker(new URL('./sha256.worker.js', import.meta.url))`; otherwise bundle it with hash-wasm and
 * give its URL as `sha256WorkerUrl`.
 */
import type { ReadableStream } from 'node:stream/web';
import { createSHA256 } from 'hash-wasm';

/** What the page posts, and what the worker answers. */
export interface HashRequest {
  blob: Blob;
}
export type HashAnswer = { sha256: string } | { error: string };

/** The worker's global scope, as far as it is used (the SDK builds without the DOM and WebWorker typings). */
interface WorkerScope {
  onmessage: ((event: { data: HashRequest }) => void) | null;
  postMessage(answer: HashAnswer): void;
}

const scope = globalThis as unknown as WorkerScope;

scope.onmessage = ({ data }) => {
  void hash(data.blob).then(
    (sha256) => scope.postMessage({ sha256 }),
    (error: unknown) => scope.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
};

async function hash(blob: Blob): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  const reader = (blob.stream() as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return hasher.digest('hex');
}
