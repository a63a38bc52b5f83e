import { toStorageError } from './s3-errors.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

/** An error shaped like the SDK's service exceptions (name + $metadata.httpStatusCode). */
function sdkError(name: string, httpStatusCode?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode }, ...extra });
}

describe('toStorageError', () => {
  it.each([
    ['NoSuchUpload', 404, 'upload', StorageErrorCode.NoSuchUpload],
    // radosgw answers NoSuchKey to ListParts after an abort
    ['NoSuchKey', 404, 'upload', StorageErrorCode.NoSuchUpload],
    ['NotFound', 404, 'upload', StorageErrorCode.NoSuchUpload],
    ['NoSuchKey', 404, 'object', StorageErrorCode.NotFound],
    ['NotFound', 404, 'object', StorageErrorCode.NotFound],
    ['UnknownError', 404, 'object', StorageErrorCode.NotFound],
    ['InvalidPart', 400, 'upload', StorageErrorCode.InvalidPart],
    ['InvalidPartOrder', 400, 'upload', StorageErrorCode.InvalidPart],
    ['EntityTooSmall', 400, 'upload', StorageErrorCode.InvalidPart],
    ['IncompleteBody', 400, 'upload', StorageErrorCode.LengthMismatch],
    ['InternalError', 500, 'object', StorageErrorCode.Unavailable],
    ['ServiceUnavailable', 503, 'upload', StorageErrorCode.Unavailable],
    ['SlowDown', 503, 'upload', StorageErrorCode.Unavailable],
    ['TooManyRequests', 429, 'object', StorageErrorCode.Unavailable],
    ['RequestTimeout', 400, 'upload', StorageErrorCode.Unavailable],
    ['TimeoutError', undefined, 'object', StorageErrorCode.Unavailable],
  ] as const)('maps %s (HTTP %p) on an %s call to %s', (name, status, scope, code) => {
    const mapped = toStorageError(sdkError(name, status), scope, 'Call');
    expect(mapped).toBeInstanceOf(StorageError);
    expect(mapped instanceof StorageError && mapped.code).toBe(code);
    expect(mapped.message).toContain(name);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'])(
    'maps a connection error %s to Unavailable',
    (code) => {
      const mapped = toStorageError(Object.assign(new Error('socket'), { code }), 'object', 'HeadObject');
      expect(mapped instanceof StorageError && mapped.code).toBe(StorageErrorCode.Unavailable);
    },
  );

  it.each([
    ['AccessDenied', 403],
    ['SignatureDoesNotMatch', 403],
    ['NoSuchBucket', 404],
    ['InvalidArgument', 400],
  ])(
    'keeps %s (HTTP %p) a plain Error that names the call: a configuration problem, not a storage state',
    (name, status) => {
      const cause = sdkError(name, status);
      const mapped = toStorageError(cause, 'object', 'PutObject');
      expect(mapped).not.toBeInstanceOf(StorageError);
      expect(mapped.message).toBe(`S3 PutObject failed: ${name} (HTTP ${status}): ${name} happened`);
      expect(mapped.cause).toBe(cause);
    },
  );

  it('passes a StorageError through unchanged', () => {
    const error = new StorageError(StorageErrorCode.LengthMismatch, 'short');
    expect(toStorageError(error, 'upload', 'UploadPart')).toBe(error);
  });
});
