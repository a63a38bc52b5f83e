/**
 * Read progress: what a frontend polls about once a second per file (GET /batch/progress/:uploadId).
 * A poll of an open upload is one Redis round trip whatever the chunk count; at most once per
 * PROGRESS_SYNC_INTERVAL_MS per upload (a Redis lock, across API instances) it also starts a look in
 * storage for parts PUT straight there, which the next poll shows (ProgressSync.revalidate).
 */
import { Injectable } from '@nestjs/common';
import { chunkRanges, ProgressStore, type ProgressSnapshot, type UploadStatus } from '#progress';
import { UploadSessionRepository, type UploadSession, type Video, type VideoStatus } from '#videos';
import { ProgressSync } from '../progress-sync.js';
import { UploadSessions } from '../upload-sessions.js';

export interface ReadProgressCommand {
  uploadId: string;
  ownerId: string;
  /**
   * The caller wants what storage holds now, not the last look (a page resuming after a reload, which
   * skips the chunks stored: the request's `Cache-Control: no-cache`). The answer then waits for a look in
   * storage, unless one ran within PROGRESS_SYNC_INTERVAL_MS (the limit on listings holds for it too).
   */
  fresh?: boolean;
}

export interface UploadProgress {
  uploadId: string;
  filename: string;
  /** Whole percent of the file's bytes stored, 0-100 (100 only when every chunk is stored). */
  progress: number;
  status: UploadStatus;
  /** Chunk indices to send again, ascending. */
  failedChunks: number[];
  /**
   * Chunks of the upload. 0 while an upload whose client sizes its parts (Uppy's S3 plugin) is open:
   * only the client knows the file size; completion records the part count.
   */
  totalChunks: number;
  /** Chunks stored so far. */
  completedCount: number;
  /** Bytes stored so far. */
  bytesStored: number;
  /** The stored chunks as ranges of 0-based indices, e.g. "0-3,5,7-9" ("" for none): what a resuming client skips. */
  storedChunks: string;
  /** The video's id, once the upload is completed. */
  videoId?: string;
  /** Once the upload is completed: the video's processing status (uploaded -> processing -> ready | failed). */
  videoStatus?: VideoStatus;
  /** Why processing failed, when videoStatus is `failed` (a declared sha256 that differs: CHECKSUM_MISMATCH ...). */
  failureReason?: string;
}

@Injectable()
export class ReadProgress {
  constructor(
    private readonly sessions: UploadSessions,
    private readonly repository: UploadSessionRepository,
    private readonly sync: ProgressSync,
    private readonly progress: ProgressStore,
  ) {}

  /** Throws UploadError: UPLOAD_NOT_FOUND (unknown, or someone else's), UPLOAD_EXPIRED, UPLOAD_ABORTED. */
  async execute({ uploadId, ownerId, fresh = false }: ReadProgressCommand): Promise<UploadProgress> {
    const snapshot = await this.progress.get(uploadId);
    // Ownership from Redis itself: a poll stays one round trip. Someone else's upload is unknown.
    if (snapshot && snapshot.ownerId === ownerId) {
      const session = () => this.sessions.find(uploadId, ownerId);
      return fromSnapshot(fresh ? await this.sync.fresh(snapshot, session) : this.sync.revalidate(snapshot, session));
    }

    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state === 'completed') return this.completed(session);
    return fromSnapshot(await this.sync.snapshotOf(session));
  }

  /** The video row is read here only: an open upload's poll never touches PostgreSQL for it. */
  private async completed(session: UploadSession): Promise<UploadProgress> {
    return completedProgress(session, await this.repository.findVideoByUploadId(session.id));
  }
}

/** Progress of a completed session, with its video's processing state (null: not found, a race at most). */
export function completedProgress(session: UploadSession, video: Video | null): UploadProgress {
  return {
    uploadId: session.id,
    filename: session.filename,
    progress: 100,
    status: 'completed',
    failedChunks: [],
    totalChunks: session.totalChunks,
    completedCount: session.totalChunks,
    bytesStored: session.size,
    storedChunks: chunkRanges(Array.from({ length: session.totalChunks }, (_, i) => i)),
    ...(video && {
      videoId: video.id,
      videoStatus: video.status,
      ...(video.status === 'failed' && video.failureReason !== null && { failureReason: video.failureReason }),
    }),
  };
}

/** Progress of an open session from its Redis snapshot. */
export function fromSnapshot(s: ProgressSnapshot): UploadProgress {
  return {
    uploadId: s.uploadId,
    filename: s.filename,
    progress: s.progress,
    status: s.status,
    failedChunks: s.failedChunks,
    // A client-sized upload has no size until completion (its keys say 0) and no chunk plan.
    totalChunks: s.size === 0 ? 0 : s.totalChunks,
    completedCount: s.completedCount,
    bytesStored: s.completedBytes,
    storedChunks: s.storedChunks,
  };
}
