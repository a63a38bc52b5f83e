/**
 * Read progress: what a frontend polls about once a second per file (GET /batch/progress/:uploadId).
 * A poll is one Redis round trip whatever the chunk count; at most once per PROGRESS_SYNC_INTERVAL_MS
 * per upload (a Redis lock, across API instances) it also asks storage which parts arrived.
 */
import { Inject, Injectable } from '@nestjs/common';
import { ProgressStore, type ProgressSnapshot, type UploadStatus } from '#progress';
import { UploadSessionRepository, type UploadSession } from '#videos';
import { ProgressSync } from '../progress-sync.js';
import { isExpired, UploadSessions } from '../upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

export interface ReadProgressCommand {
  uploadId: string;
  ownerId: string;
}

export interface UploadProgress {
  uploadId: string;
  filename: string;
  /** Whole percent of the file's bytes stored, 0-100 (100 only when every chunk is stored). */
  progress: number;
  status: UploadStatus;
  /** Chunk indices to send again, ascending. */
  failedChunks: number[];
  totalChunks: number;
  /** Chunks stored so far. */
  completedCount: number;
  /** The video's id, once the upload is completed. */
  videoId?: string;
}

@Injectable()
export class ReadProgress {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly sessions: UploadSessions,
    private readonly repository: UploadSessionRepository,
    private readonly sync: ProgressSync,
    private readonly progress: ProgressStore,
  ) {}

  /** Throws UploadError: UPLOAD_NOT_FOUND (unknown, or someone else's), UPLOAD_EXPIRED (ProgressSync). */
  async execute({ uploadId, ownerId }: ReadProgressCommand): Promise<UploadProgress> {
    const interval = this.settings.progressSyncIntervalMs;
    let snapshot = await this.progress.get(uploadId);
    // Ownership from Redis itself: a poll stays one round trip. Someone else's upload is unknown.
    if (snapshot && snapshot.ownerId !== ownerId) snapshot = null;
    if (
      snapshot &&
      Date.now() - snapshot.syncedAt >= interval &&
      (await this.progress.tryLockSync(uploadId, Math.max(1, interval)))
    ) {
      const session = await this.sessions.find(uploadId, ownerId);
      if (session.state === 'open' && !isExpired(session))
        snapshot = (await this.sync.syncWithStorage(session)) ?? snapshot;
    }
    if (snapshot) return fromSnapshot(snapshot);

    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state === 'completed') return this.completed(session);
    return fromSnapshot(await this.sync.snapshotOf(session));
  }

  private async completed(session: UploadSession): Promise<UploadProgress> {
    const video = await this.repository.findVideoByUploadId(session.id);
    return {
      uploadId: session.id,
      filename: session.filename,
      progress: 100,
      status: 'completed',
      failedChunks: [],
      totalChunks: session.totalChunks,
      completedCount: session.totalChunks,
      videoId: video?.id,
    };
  }
}

function fromSnapshot(s: ProgressSnapshot): UploadProgress {
  return {
    uploadId: s.uploadId,
    filename: s.filename,
    progress: s.progress,
    status: s.status,
    failedChunks: s.failedChunks,
    totalChunks: s.totalChunks,
    completedCount: s.completedCount,
  };
}
