/** What a processor gives the worker runner: the queue it consumes and how it handles one job. */
import { type Job, WaitingError } from 'bullmq';

export interface JobHandler<Data = unknown, Result = unknown> {
  readonly queue: string;
  /** Jobs of this queue run at once in one process; the configured WORKER_CONCURRENCY when absent. */
  readonly concurrency?: number;
  /**
   * Runs one job. `signal` aborts when the worker shuts down and its grace time is over: the handler
   * then hands the job back to the queue (see `releaseJob`).
   */
  handle(job: Job<Data, Result>, token: string | undefined, signal: AbortSignal): Promise<Result>;
  /** Called once a job failed for good: no attempt left, unrecoverable, or started too often. */
  onFailedForGood?(job: Job<Data, Result>, error: Error): Promise<void>;
}

/** Injection token of the list of every JobHandler of the worker. */
export const JOB_HANDLERS = Symbol('JOB_HANDLERS');

/** Every queue has exactly one handler, and every handler a known queue; else the worker must not start. */
export function checkHandlers(queues: readonly string[], handled: readonly string[]): string[] {
  const problems: string[] = [];
  for (const queue of queues) {
    const count = handled.filter((q) => q === queue).length;
    if (count === 0) problems.push(`queue "${queue}" has no handler`);
    if (count > 1) problems.push(`queue "${queue}" has ${count} handlers`);
  }
  for (const queue of new Set(handled))
    if (!queues.includes(queue)) problems.push(`handler for unknown queue "${queue}"`);
  return problems;
}

/**
 * Hands a job back to the queue without spending one of its attempts (on shutdown): another worker
 * takes it at once. BullMQ's WaitingError tells the worker the job was moved on purpose.
 */
export async function releaseJob(job: Job, token: string | undefined): Promise<never> {
  await job.moveToWait(token);
  throw new WaitingError('handed back to the queue: the worker is shutting down');
}

/**
 * Settles with `work`, or rejects as soon as `signal` aborts: a storage call that takes no signal
 * (a HEAD on a hung connection) must not keep a shutting-down worker from handing its job back.
 */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Why `signal` aborted, as an Error: AbortController.abort() without a reason gives an AbortError. */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(String(reason));
}
