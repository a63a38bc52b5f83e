/**
 * Progress of one upload, right whichever way the bytes went.
 *
 * Chunks sent through the chunk route are counted as they land. Chunks PUT straight to storage through
 * presigned URLs are learned from storage (ListParts, or HeadObject for a single file), at most once per
 * PROGRESS_SYNC_INTERVAL_MS per upload across all API instances, so that polling does not hammer
 * storage. A poll in between is one Redis round trip whatever the chunk count. When the Redis keys are
 * gone (expired, flushed) they are rebuilt from Postgres and storage.
 */
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { ProgressStore, type ProgressSnapshot } from '#progress';
import { chunkLength, ObjectStorage, StorageError, StorageErrorCode, type StoredPart } from '#storage';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import type { ProgressDto } from './dto/progress.dto.js';
import { UploadSessionsService } from './upload-sessions.service.js';

@Injectable()
export class UploadProgressService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: UploadSessionsService,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  async progressOf(uploadId: string, ownerId: string): Promise<ProgressDto> {
    const interval = this.config.upload.progressSyncIntervalMs;
    let snapshot = await this.progress.get(uploadId);
    // Ownership from Redis itself: a poll stays one round trip. Someone else's upload is a 404.
    if (snapshot && snapshot.ownerId !== ownerId) snapshot = null;
    if (snapshot && Date.now() - snapshot.syncedAt >= interval) {
      if (await this.progress.tryLockSync(uploadId, Math.max(1, interval))) {
        const session = await this.sessions.find(uploadId, ownerId);
        if (session.state === 'open') snapshot = (await this.syncWithStorage(session)) ?? snapshot;
      }
    }
    if (snapshot) return toDto(snapshot);

    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state === 'completed') return this.completedDto(session);
    if (session.state === 'expired') {
      throw new UploadError(UploadErrorCode.UploadExpired, `Upload ${uploadId} expired; start a new one`, { uploadId });
    }
    return toDto(await this.snapshotOf(session));
  }

  /** The session's snapshot, rebuilding the Redis keys from Postgres and storage when they are gone. */
  async snapshotOf(session: UploadSession): Promise<ProgressSnapshot> {
    const existing = await this.progress.get(session.id);
    if (existing) return existing;
    await this.progress.init({
      uploadId: session.id,
      filename: session.filename,
      ownerId: session.ownerId,
      totalChunks: session.totalChunks,
      size: session.size,
      expiresAt: session.expiresAt.getTime(),
      urlsExpireAt: session.urlsExpireAt.getTime(),
    });
    const rebuilt = await this.syncWithStorage(session);
    if (!rebuilt) throw new Error(`progress keys of ${session.id} vanished while being rebuilt`);
    return rebuilt;
  }

  /**
   * Learns from storage which chunks are stored, marks chunks whose URL expired before they arrived
   * as failed, and answers the new snapshot (null when the keys are gone).
   */
  async syncWithStorage(session: UploadSession): Promise<ProgressSnapshot | null> {
    const now = Date.now();
    let stored: Map<number, StoredPart>;
    try {
      stored = await this.storedChunks(session);
    } catch (error) {
      // Completed or aborted meanwhile: nothing more to learn from the multipart upload.
      if (error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload) return this.progress.get(session.id);
      throw error;
    }
    await this.progress.markManyDone(session.id, [...stored].map(([index, part]) => [index, part.size]));
    const leases = await this.progress.leases(session.id);
    const expired: number[] = [];
    for (let i = 0; i < session.totalChunks; i++) {
      if (!stored.has(i) && (leases.get(i) ?? session.urlsExpireAt.getTime()) <= now) expired.push(i);
    }
    if (expired.length > 0) await this.progress.markFailed(session.id, expired);
    await this.progress.setSyncedAt(session.id, now);
    return this.progress.get(session.id);
  }

  /**
   * Chunk index -> part of every chunk that is in storage with the right length. Throws
   * StorageError(NoSuchUpload) when the multipart upload is gone.
   */
  async storedChunks(session: UploadSession): Promise<Map<number, StoredPart>> {
    const stored = new Map<number, StoredPart>();
    if (!session.isChunked) {
      const head = await this.storage.head(session.storageKey);
      if (head?.size === session.size) stored.set(0, { partNumber: 1, size: head.size, etag: head.etag });
      return stored;
    }
    for (const part of await this.storage.listParts(session.storageKey, session.storageUploadId!)) {
      const index = part.partNumber - 1;
      if (index < session.totalChunks && part.size === chunkLength(session, session.size, index)) stored.set(index, part);
    }
    return stored;
  }

  private async completedDto(session: UploadSession): Promise<ProgressDto> {
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

function toDto(s: ProgressSnapshot): ProgressDto {
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
