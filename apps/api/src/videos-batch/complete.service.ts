/**
 * Finalizes an upload: every part in storage with the right size, the multipart upload completed, the
 * object's size checked; then, in one transaction, the Video row and the closed session; then the
 * processing job and the removal of the Redis keys. Completing again answers the same video.
 */
import { Injectable, Logger } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { ProgressStore } from '#progress';
import { ObjectStorage, type ObjectHead, StorageError, StorageErrorCode } from '#storage';
import { processVideoJobId, type ProcessVideoJobData, type UploadSession, UploadSessionRepository, VIDEO_PROCESSING_QUEUE } from '#videos';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import { toVideoDto, type VideoDto } from '../videos/dto/video.dto.js';
import { UploadProgressService } from './upload-progress.service.js';
import { UploadSessionsService } from './upload-sessions.service.js';

@Injectable()
export class CompleteService {
  private readonly logger = new Logger(CompleteService.name);

  constructor(
    private readonly sessions: UploadSessionsService,
    private readonly uploads: UploadProgressService,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    @InjectQueue(VIDEO_PROCESSING_QUEUE) private readonly queue: Queue<ProcessVideoJobData>,
  ) {}

  async complete(uploadId: string, ownerId: string): Promise<VideoDto> {
    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state !== 'completed') {
      if (session.state === 'expired') await this.sessions.findOpen(uploadId, ownerId);
      const head = await this.assembleObject(session);
      const { video, created } = await this.repository.completeWithVideo(session.id, {
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
      if (!video) throw new UploadError(UploadErrorCode.UploadExpired, `Upload ${uploadId} expired; start a new one`, { uploadId });
      if (created) this.logger.log(`upload ${uploadId} completed as video ${session.fileId}`);
    }
    const video = (await this.repository.findVideoByUploadId(uploadId))!;
    // Queued on every call: the job id makes it a no-op while the job exists, and a retry of complete
    // after a failed enqueue still gets the video processed.
    await this.queue.add('process', { videoId: video.id }, { jobId: processVideoJobId(video.id) });
    await this.progress.remove(uploadId);
    return toVideoDto(video);
  }

  /** Makes the object whole in storage and answers its head, or says which chunks are missing. */
  private async assembleObject(session: UploadSession): Promise<ObjectHead> {
    // An object already there was assembled by an earlier complete that stopped before the database.
    const head = (await this.storage.head(session.storageKey)) ?? (session.isChunked ? await this.completeMultipart(session) : null);
    if (!head || head.size !== session.size) {
      if (!session.isChunked) await this.missing(session, [0]);
      if (!head) throw new UploadError(UploadErrorCode.MultipartUploadNotFound, 'Multipart upload info not found', { uploadId: session.id });
      throw new UploadError(UploadErrorCode.SizeMismatch, `stored object has ${head.size} bytes, expected ${session.size}`, { expected: session.size, stored: head.size });
    }
    return head;
  }

  private async completeMultipart(session: UploadSession): Promise<ObjectHead | null> {
    try {
      const stored = await this.uploads.storedChunks(session);
      const missing = Array.from({ length: session.totalChunks }, (_, i) => i).filter((i) => !stored.has(i));
      if (missing.length > 0) await this.missing(session, missing);
      const parts = [...stored.values()].map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
      await this.storage.completeMultipart(session.storageKey, session.storageUploadId!, parts);
    } catch (error) {
      // A concurrent complete finished the multipart upload first: the object is there now.
      if (!(error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload)) throw error;
    }
    return this.storage.head(session.storageKey);
  }

  /** Marks the chunks failed (so that /retry covers them) and refuses the completion. */
  private async missing(session: UploadSession, missingChunks: number[]): Promise<never> {
    await this.uploads.snapshotOf(session);
    await this.progress.markFailed(session.id, missingChunks);
    throw new UploadError(UploadErrorCode.MissingParts, `Missing parts: ${missingChunks.length} of ${session.totalChunks} chunks are not uploaded`, { missingChunks, totalChunks: session.totalChunks });
  }
}
