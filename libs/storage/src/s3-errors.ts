/**
 * The one place where AWS SDK errors become StorageErrors, so that callers never see an SDK type.
 *
 * radosgw differs from AWS here: after an abort, ListParts answers NoSuchKey (404) instead of
 * NoSuchUpload, so every 404 on a multipart call means "no such upload".
 */
import { StorageError, StorageErrorCode } from './storage.error.js';

/** Whether the failed call was about a multipart upload or about an object. */
export type S3ErrorScope = 'upload' | 'object';

const INVALID_PART = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall']);
/** Errors worth retrying that S3 does not answer with a 5xx. */
const TRANSIENT_NAMES = new Set(['RequestTimeout', 'RequestTimeTooSkewed', 'SlowDown', 'TimeoutError', 'Throttling']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
]);

export function httpStatusOf(error: unknown): number | undefined {
  const metadata = field(error, '$metadata');
  const status = field(metadata, 'httpStatusCode');
  return typeof status === 'number' ? status : undefined;
}

/** The error's name; read by duck typing since Node's own errors may come from another realm (Jest). */
export function errorName(error: unknown): string {
  const name = field(error, 'name');
  return typeof name === 'string' ? name : '';
}

export function isNotFound(error: unknown): boolean {
  const name = errorName(error);
  // A missing bucket is a configuration error, never "this object is not there".
  if (name === 'NoSuchBucket') return false;
  return ['NoSuchUpload', 'NoSuchKey', 'NotFound'].includes(name) || httpStatusOf(error) === 404;
}

/** Maps any error from an SDK call to a StorageError, or to a plain Error that names the call. */
export function toStorageError(error: unknown, scope: S3ErrorScope, call: string): Error {
  if (error instanceof StorageError) return error;
  const status = httpStatusOf(error);
  const message = field(error, 'message');
  const detail = typeof message === 'string' ? message : String(error);
  const described = `S3 ${call} failed: ${errorName(error) || 'error'}${status ? ` (HTTP ${status})` : ''}: ${detail}`;
  const code = codeFor(error, status, scope);
  return code ? new StorageError(code, described, { cause: error }) : new Error(described, { cause: error });
}

function codeFor(error: unknown, status: number | undefined, scope: S3ErrorScope): StorageErrorCode | undefined {
  const name = errorName(error);
  if (INVALID_PART.has(name)) return StorageErrorCode.InvalidPart;
  if (isNotFound(error)) return scope === 'upload' ? StorageErrorCode.NoSuchUpload : StorageErrorCode.NotFound;
  if (name === 'IncompleteBody') return StorageErrorCode.LengthMismatch;
  if (status !== undefined && (status >= 500 || status === 429)) return StorageErrorCode.Unavailable;
  if (TRANSIENT_NAMES.has(name)) return StorageErrorCode.Unavailable;
  const code = field(error, 'code');
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return StorageErrorCode.Unavailable;
  // The SDK's retry middleware re-wraps an error that is not `instanceof Error` in its realm (Node's
  // own errors under Jest) into "AWS SDK error wrapper for Error: connect ECONNREFUSED ...", dropping
  // `code`: the code is then only in the message.
  const message = field(error, 'message');
  if (status === undefined && typeof message === 'string' && [...NETWORK_CODES].some((c) => message.includes(c))) {
    return StorageErrorCode.Unavailable;
  }
  return undefined;
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value ? Reflect.get(value, name) : undefined;
}
