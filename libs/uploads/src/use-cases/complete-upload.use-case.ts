/**
 * Complete: every chunk in storage with its exact length, the multipart upload completed, the
 * object's size checked; then, in one transaction, the Video row and the closed session; then the
 * processing job and the removal of the Redis keys. POST /batch/complete/:uploadId. Completing again
 * answers the same video, and queues its processing again (a no-op while the job exists).
 */
import { Injectable, Logger } from '@nestjs/common';
import { ProgressStore } from '#progress';
import { ObjectStorage, type ObjectHead, StorageError, StorageErrorCode } from '#storage';
import { type UploadSession, UploadSessionRepository, type Video } from '#videos';
import { ProgressSync } from '../progress-sync.js';
import { UploadError, UploadErrorCode } from '../upload-error.js';
import { assertNotAbandoned, UploadSessions } from '../upload-sessions.js';
import { VideoProcessingQueue } from '../video-processing.queue.js';

/** Listings tried when chunks keep replacing parts while the upload is completed. */
const COMPLETE_ATTEMPTS = 3;

export interface CompleteUploadCommand {
  uploadId: string;
  ownerId: string;
}

@Injectable()
export class CompleteUpload {
  private readonly logger = new Logger(CompleteUpload.name);

  constructor(
    private readonly sessions: UploadSessions,
    private readonly sync: ProgressSync,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly queue: VideoProcessingQueue,
  ) {}

  /**
   * The video, status `uploaded` on its first completion. Throws UploadError: UPLOAD_NOT_FOUND,
   * UPLOAD_EXPIRED, UPLOAD_ABORTED, MISSING_PARTS (`details.missingChunks`; they are marked failed so that retry covers
   * them), SIZE_MISMATCH or MULTIPART_UPLOAD_NOT_FOUND (storage holds something else than announced).
   */
  async execute({ uploadId, ownerId }: CompleteUploadCommand): Promise<Video> {
    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state !== 'completed') {
      assertNotAbandoned(session);
      const head = await this.assembleObject(session);
      const completed = await this.repository.completeWithVideo(session.id, {
        id: session.fileId,
        uploadId: session.id,
        channelId: session.channelId,
        ownerId: session.ownerId,
        filename: session.filename,
        size: head.size,
        contentType: session.contentType,
        storageKey: session.storageKey,
        etag: head.etag,
      });
      if (completed.video === null) assertNotAbandoned({ ...session, state: completed.state });
      else if (completed.created) this.logger.log(`upload ${uploadId} completed as video ${session.fileId}`);
    }
    const video = await this.repository.findVideoByUploadId(uploadId);
    if (!video) throw new Error(`upload ${uploadId} is completed but has no video`);
    await this.queue.enqueue(video.id);
    await this.progress.remove(uploadId);
    return video;
  }

  /** Makes the object whole in storage and answers its head, or says which chunks are missing. */
  private async assembleObject(session: UploadSession): Promise<ObjectHead> {
    // An object already there was assembled by an earlier complete that stopped before the database.
    const head = (await this.storage.head(session.storageKey)) ?? (await this.completeMultipart(session));
    if (!head)
      throw new UploadError(UploadErrorCode.MultipartUploadNotFound, 'Multipart upload info not found', {
        uploadId: session.id,
      });
    if (head.size !== session.size) {
      throw new UploadError(
        UploadErrorCode.SizeMismatch,
        `stored object has ${head.size} bytes, expected ${session.size}`,
        { expected: session.size, stored: head.size },
      );
    }
    return head;
  }

  private async completeMultipart(session: UploadSession): Promise<ObjectHead | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.sync.storedChunks(session);
        const missing = Array.from({ length: session.totalChunks }, (_, i) => i).filter((i) => !stored.has(i));
        if (missing.length > 0) await this.missing(session, missing);
        const parts = [...stored.values()].map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
        await this.storage.completeMultipart(session.storageKey, session.multipartUploadId, parts);
        break;
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        // A concurrent complete finished the multipart upload first: the object is there now.
        if (error.code === StorageErrorCode.NoSuchUpload) break;
        // A chunk sent meanwhile replaced a part after the listing (another ETag): list again.
        if (error.code !== StorageErrorCode.InvalidPart || attempt === COMPLETE_ATTEMPTS) throw error;
      }
    }
    return this.storage.head(session.storageKey);
  }

  /** Marks the chunks failed (so that retry covers them) and refuses the completion. */
  private async missing(session: UploadSession, missingChunks: number[]): Promise<never> {
    await this.sync.snapshotOf(session);
    await this.progress.markFailed(session.id, missingChunks);
    throw new UploadError(
      UploadErrorCode.MissingParts,
      `Missing parts: ${missingChunks.length} of ${session.totalChunks} chunks are not uploaded`,
      { missingChunks, totalChunks: session.totalChunks },
    );
  }
}
