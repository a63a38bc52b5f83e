/**
 * The settings the upload use cases read. The shape is declared here; #config builds its `upload`
 * settings to fit it, and UploadsModule provides them under UPLOAD_SETTINGS.
 */
export interface UploadSettings {
  /** Largest file sent whole, as the one part of its upload (bytes). */
  singleUploadMax: number;
  /** Preferred part size of chunked files (bytes); raised so that no file needs more than 10,000 parts. */
  partSize: number;
  /** Largest file a batch may announce (bytes). */
  maxFileSize: number;
  /** Files per batch. */
  maxFiles: number;
  /** Largest chunk the chunk route takes (bytes); larger parts go through their presigned URL. */
  maxChunkSize: number;
  /** Lifetime of presigned URLs (seconds). */
  urlTtlSeconds: number;
  /** An upload not completed by then expires (seconds). */
  sessionTtlSeconds: number;
  /** Least time between two look-ups in storage for one upload's progress (milliseconds). */
  progressSyncIntervalMs: number;
  /** Looks in storage for progress that one process runs behind answered polls at once. */
  progressSyncConcurrency: number;
  /** Open (not completed, not expired) uploads one user may have. */
  maxOpenSessionsPerUser: number;
  /**
   * A multipart upload under the product's key prefix that belongs to no session is aborted by the
   * cleanup once it is this old (seconds): an init that crashed between storage and the database.
   */
  orphanGraceSeconds: number;
}

export const UPLOAD_SETTINGS = Symbol('UPLOAD_SETTINGS');
