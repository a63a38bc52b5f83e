/**
 * Errors every storage driver throws, so that callers never see an SDK's or the file system's types.
 * The values are the codes the disk driver's signed URLs answer in the API's envelope.
 */
export enum StorageErrorCode {
  /** The object does not exist. */
  NotFound = 'OBJECT_NOT_FOUND',
  /** The multipart upload does not exist (never created, completed or aborted). */
  NoSuchUpload = 'NO_SUCH_UPLOAD',
  /** A part named at completion is missing, too small, or has another ETag. */
  InvalidPart = 'INVALID_PART',
  /** The body did not have the announced length. */
  LengthMismatch = 'LENGTH_MISMATCH',
  /** A signed URL is malformed, tampered with or expired. */
  BadSignature = 'BAD_SIGNATURE',
  /** Storage could not be reached or answered with a server error; worth retrying. */
  Unavailable = 'STORAGE_UNAVAILABLE',
}

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}
