/**
 * The product's errors. Use cases (and the API's guards) throw UploadError with a code; the API maps
 * each code to its HTTP status in one exhaustive switch (apps/api, ApiExceptionFilter).
 */
export enum UploadErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthorized = 'UNAUTHORIZED',
  ChannelForbidden = 'CHANNEL_FORBIDDEN',
  TooManyOpenUploads = 'TOO_MANY_OPEN_UPLOADS',
  RateLimited = 'RATE_LIMITED',
  UploadNotFound = 'UPLOAD_NOT_FOUND',
  /** An unknown batch id, or someone else's (GET /batch/:batchId, POST /batch/:batchId/complete). */
  BatchNotFound = 'BATCH_NOT_FOUND',
  VideoNotFound = 'VIDEO_NOT_FOUND',
  WebhookNotFound = 'WEBHOOK_NOT_FOUND',
  UploadExpired = 'UPLOAD_EXPIRED',
  UploadAborted = 'UPLOAD_ABORTED',
  UploadCompleted = 'UPLOAD_COMPLETED',
  ChunkIndexOutOfRange = 'CHUNK_INDEX_OUT_OF_RANGE',
  ChunkLengthMismatch = 'CHUNK_LENGTH_MISMATCH',
  ChunkTooLarge = 'CHUNK_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  MissingParts = 'MISSING_PARTS',
  MultipartUploadNotFound = 'MULTIPART_UPLOAD_NOT_FOUND',
  SizeMismatch = 'SIZE_MISMATCH',
  StorageFailed = 'STORAGE_FAILED',
  /**
   * A call for an upload through the other kind of route: parts of an upload whose client sizes them
   * (Uppy's Companion routes) never go through the chunk or retry routes, and the reverse.
   */
  WrongUploadRoute = 'WRONG_UPLOAD_ROUTE',
  /** A request body that stayed idle longer than the API waits (HTTP_BODY_IDLE_TIMEOUT_MS). */
  RequestTimeout = 'REQUEST_TIMEOUT',
  /** A tus upload announced larger than the largest file (tus creation: 413, Tus-Max-Size). */
  UploadTooLarge = 'UPLOAD_TOO_LARGE',
  /** A tus PATCH whose Upload-Offset is not the upload's offset (tus core protocol: 409). */
  UploadOffsetMismatch = 'UPLOAD_OFFSET_MISMATCH',
  /** Another tus PATCH of the same upload is still being written (423 Locked). */
  UploadLocked = 'UPLOAD_LOCKED',
  /** A tus PATCH whose body does not match its Upload-Checksum (tus checksum extension: 460). */
  ChecksumMismatch = 'CHECKSUM_MISMATCH',
  /** A tus request whose Tus-Resumable is not a version the server speaks (tus core protocol: 412). */
  TusVersionUnsupported = 'TUS_VERSION_UNSUPPORTED',
}

export class UploadError extends Error {
  constructor(
    readonly code: UploadErrorCode,
    message: string,
    readonly details: Record<string, unknown> | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UploadError';
  }
}

/** One failing field of a request and why, as VALIDATION_FAILED lists it in `details.fields`. */
export interface FieldProblem {
  /** Dotted path of the field, e.g. `files.0.size`. */
  field: string;
  problems: string[];
}

/**
 * How many failing fields VALIDATION_FAILED lists. A body within the JSON limits can fail in thousands of
 * places (a key each, an item each), and an answer listing them all would be many times the body's size.
 */
export const MAX_REPORTED_FIELDS = 20;

/** VALIDATION_FAILED naming the first MAX_REPORTED_FIELDS failing fields; the message counts the others. */
export function validationFailed(fields: FieldProblem[]): UploadError {
  const shown = fields.slice(0, MAX_REPORTED_FIELDS);
  const others = fields.length - shown.length;
  const summary = shown.map((f) => f.field).join(', ') + (others > 0 ? ` and ${others} more` : '');
  return new UploadError(UploadErrorCode.ValidationFailed, `Invalid request: ${summary}`, { fields: shown });
}

export function uploadNotFound(uploadId: string): UploadError {
  return new UploadError(UploadErrorCode.UploadNotFound, `Upload ${uploadId} not found`, { uploadId });
}

export function batchNotFound(batchId: string): UploadError {
  return new UploadError(UploadErrorCode.BatchNotFound, `Batch ${batchId} not found`, { batchId });
}

export function uploadExpired(uploadId: string, expiredAt: Date): UploadError {
  return new UploadError(UploadErrorCode.UploadExpired, `Upload ${uploadId} expired; start a new one`, {
    uploadId,
    expiredAt: expiredAt.toISOString(),
  });
}

export function uploadAborted(uploadId: string): UploadError {
  return new UploadError(UploadErrorCode.UploadAborted, `Upload ${uploadId} was aborted; start a new one`, {
    uploadId,
  });
}

export function uploadCompleted(uploadId: string): UploadError {
  return new UploadError(UploadErrorCode.UploadCompleted, `Upload ${uploadId} is already completed`, { uploadId });
}

export function channelForbidden(channelId: string): UploadError {
  return new UploadError(UploadErrorCode.ChannelForbidden, `you may not upload to channel ${channelId}`, { channelId });
}

/** A token whose `channels` claim is empty may upload nowhere: refused where it asks for a way to upload. */
export function noChannels(): UploadError {
  return new UploadError(UploadErrorCode.ChannelForbidden, 'your token allows no channel to upload to', {
    channels: [],
  });
}

export function tooManyOpenUploads(limit: number): UploadError {
  return new UploadError(
    UploadErrorCode.TooManyOpenUploads,
    `you have too many open uploads (at most ${limit}); complete some or let them expire`,
    { limit },
  );
}
