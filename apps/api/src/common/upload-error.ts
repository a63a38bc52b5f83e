/**
 * Domain errors of the upload API. Services throw UploadError with a code; ApiExceptionFilter maps
 * each code to its HTTP status in one exhaustive switch.
 */
export enum UploadErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  Unauthorized = 'UNAUTHORIZED',
  ChannelForbidden = 'CHANNEL_FORBIDDEN',
  TooManyOpenUploads = 'TOO_MANY_OPEN_UPLOADS',
  UploadNotFound = 'UPLOAD_NOT_FOUND',
  VideoNotFound = 'VIDEO_NOT_FOUND',
  UploadExpired = 'UPLOAD_EXPIRED',
  UploadCompleted = 'UPLOAD_COMPLETED',
  ChunkIndexOutOfRange = 'CHUNK_INDEX_OUT_OF_RANGE',
  ChunkLengthMismatch = 'CHUNK_LENGTH_MISMATCH',
  ChunkTooLarge = 'CHUNK_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  MissingParts = 'MISSING_PARTS',
  MultipartUploadNotFound = 'MULTIPART_UPLOAD_NOT_FOUND',
  SizeMismatch = 'SIZE_MISMATCH',
  StorageFailed = 'STORAGE_FAILED',
}

export class UploadError extends Error {
  constructor(
    readonly code: UploadErrorCode,
    message: string,
    readonly details: Record<string, unknown> | unknown[] | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UploadError';
  }
}

export function uploadErrorStatus(code: UploadErrorCode): number {
  switch (code) {
    case UploadErrorCode.ValidationFailed:
    case UploadErrorCode.ChunkIndexOutOfRange:
    case UploadErrorCode.ChunkLengthMismatch:
      return 400;
    case UploadErrorCode.Unauthorized:
      return 401;
    case UploadErrorCode.ChannelForbidden:
      return 403;
    case UploadErrorCode.UploadNotFound:
    case UploadErrorCode.VideoNotFound:
      return 404;
    case UploadErrorCode.UploadCompleted:
    case UploadErrorCode.MissingParts:
    case UploadErrorCode.MultipartUploadNotFound:
    case UploadErrorCode.SizeMismatch:
      return 409;
    case UploadErrorCode.UploadExpired:
      return 410;
    case UploadErrorCode.ChunkTooLarge:
      return 413;
    case UploadErrorCode.UnsupportedMediaType:
      return 415;
    case UploadErrorCode.TooManyOpenUploads:
      return 429;
    case UploadErrorCode.StorageFailed:
      return 502;
  }
}
