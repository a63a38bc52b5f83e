/**
 * ProgressStore: hot per-upload progress in Redis.
 *
 * One upload is three keys that expire together with the session: a hash of counters and metadata,
 * a bitmap of finished chunks and a set of failed chunk indices. Every update is one Lua script, so
 * counters never drift from the bitmap; a read is one round trip whose cost does not grow with the
 * number of chunks (only with the number of failed ones, which are returned).
 */

/**
 * Every status an upload shows its client, in the order an upload goes through them; the one list
 * (the API's answers and the OpenAPI document read it). The store derives all but `completed` and
 * `aborted`, which only completion and abort give.
 */
export const UPLOAD_STATUSES = ['initialized', 'uploading', 'failed', 'retrying', 'completed', 'aborted'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

export interface ProgressInit {
  uploadId: string;
  filename: string;
  /** Owner of the upload, so that a poll can check who asks without a database read. */
  ownerId: string;
  totalChunks: number;
  /** Size of the whole file in bytes; progress is measured in bytes, not chunks. */
  size: number;
  /** When the keys expire (epoch ms); normally the session's expiry. */
  expiresAt: number;
  /** When the URLs handed out at init stop working (epoch ms). */
  urlsExpireAt: number;
}

export interface ProgressSnapshot {
  uploadId: string;
  filename: string;
  ownerId: string;
  totalChunks: number;
  size: number;
  completedCount: number;
  completedBytes: number;
  /** 0-100, floor of completedBytes / size (100 only when every chunk is done). */
  progress: number;
  status: UploadStatus;
  /** Sorted ascending. */
  failedChunks: number[];
  /** The chunks stored, as ranges ("0-3,5,7-9", chunk-ranges.ts). */
  storedChunks: string;
  urlsExpireAt: number;
  /** Epoch ms of the last reconciliation with storage, 0 if never. */
  syncedAt: number;
}

export abstract class ProgressStore {
  /** Creates (or resets) the keys of one upload. */
  abstract init(p: ProgressInit): Promise<void>;
  /** Snapshot, or null when the keys are gone (expired, flushed, or removed at completion). */
  abstract get(uploadId: string): Promise<ProgressSnapshot | null>;
  /** A chunk is being received; status becomes `uploading` unless failures remain. */
  abstract markUploading(uploadId: string, chunkIndex: number): Promise<void>;
  /** Chunk arrived complete with `bytes` bytes. Idempotent: counting happens once per chunk. */
  abstract markDone(uploadId: string, chunkIndex: number, bytes: number): Promise<void>;
  /** Many chunks learned from storage at once (index -> bytes); one script call. */
  abstract markManyDone(uploadId: string, chunks: Array<[number, number]>): Promise<void>;
  /** Chunk failed (storage error, wrong length, URL expired, missing at complete); status `failed`. */
  abstract markFailed(uploadId: string, chunkIndices: number[]): Promise<void>;
  /**
   * Fresh URLs were issued for these chunks: they leave the failed set, status `retrying`, and each
   * gets its own URL deadline (a lease) that replaces the session's `urlsExpireAt` for it.
   */
  abstract markRetrying(uploadId: string, chunkIndices: number[], urlsExpireAt: number): Promise<void>;
  /** Chunk index -> URL deadline (epoch ms) for chunks re-signed by retry and not done since. */
  abstract leases(uploadId: string): Promise<Map<number, number>>;
  /** Records a reconciliation with storage at `at` (epoch ms). */
  abstract setSyncedAt(uploadId: string, at: number): Promise<void>;
  /**
   * Takes a short lock so that only one caller reconciles an upload with storage at a time and at
   * most once per `ttlMs`. Answers true when the caller got it.
   */
  abstract tryLockSync(uploadId: string, ttlMs: number): Promise<boolean>;
  /**
   * Takes the upload's write lock for `ttlMs` under `token` (one writer of a tus upload at a time, across
   * API instances). Answers false when another token holds it.
   */
  abstract tryLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean>;
  /** Extends the write lock to `ttlMs` from now while `token` holds it; false when it was lost meanwhile. */
  abstract extendLockWrite(uploadId: string, token: string, ttlMs: number): Promise<boolean>;
  /** Releases the write lock if `token` still holds it. */
  abstract unlockWrite(uploadId: string, token: string): Promise<void>;
  /** Removes every key of the upload (not its write lock, which its holder releases). */
  abstract remove(uploadId: string): Promise<void>;
}
