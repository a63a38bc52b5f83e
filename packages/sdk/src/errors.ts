/**
 * Errors of the SDK. Every failure the API answers carries the envelope's code (see the README's
 * error table); the SDK adds its own for what happens before an answer: the network, an abort, a
 * chunk that kept failing.
 */
import type { components } from './generated/reelay-api.js';

/** The codes of the API's error envelope (`{ success: false, error: { code, message, details } }`). */
export type ApiErrorCode = components['schemas']['ErrorBodyDto']['code'];

/**
 * Codes the SDK itself gives: no answer (NETWORK_ERROR), the caller's AbortSignal (ABORTED), storage refused
 * a part (PART_REFUSED), the file could not be hashed (HASH_FAILED, with `sha256: true`).
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'ABORTED' | 'PART_REFUSED' | 'HASH_FAILED';

export class ReelayError extends Error {
  override readonly name = 'ReelayError';

  constructor(
    /** The envelope's code, or the SDK's own. */
    readonly code: ApiErrorCode | ClientErrorCode,
    message: string,
    /** The HTTP status of the answer; 0 when there was none. */
    readonly status = 0,
    /** The envelope's details (missing chunks, failing fields, error id), when the API gave them. */
    readonly details: Record<string, unknown> | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth trying again as it is: no answer, a 5xx, a timeout (408) or a rate limit (429). */
  get transient(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export function abortedError(): ReelayError {
  return new ReelayError('ABORTED', 'the upload was aborted');
}
