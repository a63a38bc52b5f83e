/**
 * Signs the part URLs of large uploads on two threads: the caller's and a worker's.
 *
 * An init of 5 files of 1,000 parts signs 5,000 URLs, 10-25 ms of CPU on one core of a small
 * machine, while the API's thread has the batch to record and 2 MiB of JSON to write. The signing is
 * pure (PartUrlSigner's state in, strings out), so half of each file's parts go to a worker thread and
 * the caller signs the other half meanwhile. Small uploads (fewer than MIN_SPLIT parts) are signed in
 * place: handing them over would cost more than it saves.
 *
 * The worker is started on the first large upload and stops after a minute without work, so an API
 * that never sees one pays no memory for it (it holds about 12 MiB while it runs). Where the worker's
 * module is missing (the TypeScript sources run by Jest, which cannot start it), everything is signed
 * in place.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setImmediate } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { PartToSign } from './object-storage.js';
import type { PartSigningTask } from './part-signing.worker.js';
import type { PartUrlSigner } from './part-url-signer.js';

/** Below this many parts a file is signed in place. */
export const MIN_SPLIT = 200;
/** Part URLs this thread signs between two turns of the event loop: about half a millisecond. */
const SLICE = 200;
const WORKER = new URL('./part-signing.worker.js', import.meta.url);

export class PartSigningPool {
  private readonly pool: Piscina<PartSigningTask, string[]> | null;

  /** @param worker the worker module; by default the built part-signing.worker.js beside this file. */
  constructor(worker: URL = WORKER) {
    this.pool = existsSync(fileURLToPath(worker))
      ? // Every file's task goes to the worker at once: with one task at a time, the worker would wait
        // for this thread to hand it the next one, and this thread is busy signing its own halves.
        new Piscina({ filename: worker.href, minThreads: 0, maxThreads: Math.max(1, availableParallelism() - 1), concurrentTasksPerWorker: 16, idleTimeout: 60_000 })
      : null;
  }

  /** Whether large uploads are signed on a worker thread too. */
  get threaded(): boolean {
    return this.pool !== null;
  }

  /** The URLs of these parts, in their order. */
  async sign(signer: PartUrlSigner, parts: readonly PartToSign[]): Promise<string[]> {
    if (!this.pool || parts.length < MIN_SPLIT) return signer.signAll(parts);
    const half = Math.ceil(parts.length / 2);
    // A worker that fails (it could not start, or died) costs time, never the init: its half is signed here.
    const theirs = this.pool.run({ state: signer.state, parts: parts.slice(half) }).catch(() => null);
    // This thread's half goes in slices, letting the event loop run between them: the answers of
    // PostgreSQL and storage that the same request (and others) wait for are not held up behind
    // milliseconds of signing.
    const mine: string[] = [];
    for (let at = 0; at < half; at += SLICE) {
      if (at > 0) await setImmediate();
      mine.push(...signer.signAll(parts.slice(at, Math.min(at + SLICE, half))));
    }
    return mine.concat((await theirs) ?? signer.signAll(parts.slice(half)));
  }

  async close(): Promise<void> {
    await this.pool?.close();
  }
}
