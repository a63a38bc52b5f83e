/**
 * Sends a caller's stream through an exact-length guard to an HTTP call that can be aborted.
 *
 * The AWS SDK pipes a body into the request and does not notice a source that ends early or fails:
 * the request would wait for the missing bytes until the socket timeout. So when the guard fails, the
 * request is aborted and the guard's StorageError(LengthMismatch) is what the caller gets.
 */
import type { Readable } from 'node:stream';
import { ExactLengthStream, lengthMismatch } from './exact-length.js';

export async function sendGuarded<T>(
  body: Readable,
  contentLength: number,
  run: (guarded: Readable, abortSignal: AbortSignal) => Promise<T>,
): Promise<T> {
  const guard = new ExactLengthStream(contentLength);
  const abort = new AbortController();
  let bodyError: unknown;
  guard.once('error', (error) => {
    bodyError ??= error;
    abort.abort(error);
  });
  body.once('error', (error) => guard.destroy(lengthMismatch(contentLength, 'a failing stream', error)));
  body.pipe(guard);
  try {
    return await run(guard, abort.signal);
  } catch (error) {
    // The call is over: release the caller's stream whatever state it is in.
    body.destroy();
    guard.destroy();
    throw bodyError ?? error;
  }
}
