/**
 * When to try again: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
 * And Jitter"): a random delay between 0 and min(maxMs, baseMs x 2^attempt), so that many clients that
 * failed together do not come back together.
 */
export interface RetryPolicy {
  /** Tries of one request, the first included. */
  attempts: number;
  /** Milliseconds; the ceiling of the first retry's delay. */
  baseDelayMs: number;
  /** Milliseconds; no delay is longer. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 15_000 };

/** Milliseconds to wait before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
