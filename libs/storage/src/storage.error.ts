/** Errors every storage driver throws, so that callers never see an SDK's or the file system's types. */
export enum StorageErrorCode {
  /** The object does not exist. */
  NotFound = 'NotFound',
  /** The multipart upload does not exist (never created, completed or aborted). */
  NoSuchUpload = 'NoSuchUpload',
  /** A part named at completion is missing, too small, or has another ETag. */
  InvalidPart = 'InvalidPart',
  /** The body did not have the announced length. */
  LengthMismatch = 'LengthMismatch',
  /** A signed URL is malformed, tampered with or expired. */
  BadSignature = 'BadSignature',
  /** Storage could not be reached or answered with a server error; worth retrying. */
  Unavailable = 'Unavailable',
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
