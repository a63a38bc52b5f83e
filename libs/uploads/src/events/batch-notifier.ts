/**
 * Tells what happened to a batch: appends the event to the batch's log (the SSE routes follow it) and
 * hands the webhook events to the owner's endpoints. Called by the use cases (chunks, progress learned
 * from storage, complete, abort) and by the worker's processing. An event is news, not state: PostgreSQL
 * and the progress keys stay the truth, so a failure to tell is logged and never fails the caller.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ProgressSnapshot } from '#progress';
import { ObjectStorage } from '#storage';
import { type ProcessedVideo, type UploadSession, UploadSessionRepository, type Video } from '#videos';
import { WebhookDispatch } from '../webhooks/webhook-dispatch.js';
import { BatchCompletion } from './batch-completion.js';
import { type BatchEvent, isWebhookEvent, THUMBNAIL_URL_TTL_SECONDS } from './batch-event.js';
import { BatchEventLog, eventTime } from './batch-event-log.js';
import { EVENT_SETTINGS, type EventSettings } from './event-settings.js';

type SessionRef = Pick<UploadSession, 'id' | 'batchId' | 'ownerId'>;

@Injectable()
export class BatchNotifier {
  private readonly logger = new Logger(BatchNotifier.name);

  constructor(
    @Inject(EVENT_SETTINGS) private readonly settings: EventSettings,
    private readonly log: BatchEventLog,
    private readonly webhooks: WebhookDispatch,
    private readonly completion: BatchCompletion,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
  ) {}

  /** Progress of one upload as just learned (a chunk stored, parts found in storage). */
  progress(session: SessionRef, s: ProgressSnapshot): Promise<void> {
    return this.tell(session.ownerId, {
      type: 'progress',
      batchId: session.batchId,
      uploadId: session.id,
      progress: s.progress,
      status: s.status,
      completedCount: s.completedCount,
      totalChunks: s.totalChunks,
      bytesStored: s.completedBytes,
      failedChunks: s.failedChunks,
    });
  }

  chunkFailed(session: SessionRef, chunks: number[], reason: string): Promise<void> {
    if (chunks.length === 0) return Promise.resolve();
    return this.tell(session.ownerId, {
      type: 'chunk.failed',
      batchId: session.batchId,
      uploadId: session.id,
      chunks,
      reason,
    });
  }

  /** The last progress (every byte stored), then upload.completed; batch.completed when it was the last file. */
  async uploadCompleted(session: SessionRef, video: Video, totalChunks: number): Promise<void> {
    await this.tell(session.ownerId, {
      type: 'progress',
      batchId: session.batchId,
      uploadId: session.id,
      progress: 100,
      status: 'completed',
      completedCount: totalChunks,
      totalChunks,
      bytesStored: video.size,
      failedChunks: [],
    });
    await this.tell(session.ownerId, {
      type: 'upload.completed',
      batchId: session.batchId,
      uploadId: session.id,
      videoId: video.id,
      filename: video.filename,
      size: video.size,
      contentType: video.contentType,
    });
    await this.batchMayHaveEnded(session);
  }

  async uploadAborted(session: SessionRef): Promise<void> {
    await this.tell(session.ownerId, { type: 'upload.aborted', batchId: session.batchId, uploadId: session.id });
    await this.batchMayHaveEnded(session);
  }

  /** An upload the cleanup expired: no event of its own, but it may have been its batch's last open file. */
  uploadExpired(session: SessionRef): Promise<void> {
    return this.batchMayHaveEnded(session);
  }

  processingStarted(video: Video): Promise<void> {
    return this.aboutVideo(video, (ids) => ({ type: 'processing.started', ...ids }));
  }

  async videoReady(video: Video, result: ProcessedVideo): Promise<void> {
    const thumbnailUrl = result.thumbnailKey
      ? await this.storage.presignGet(result.thumbnailKey, THUMBNAIL_URL_TTL_SECONDS).catch(() => null)
      : null;
    const { durationSeconds, width, height, videoCodec, audioCodec, bitrate, container, sha256 } = result;
    const metadata = { durationSeconds, width, height, videoCodec, audioCodec, bitrate, container, sha256 };
    await this.aboutVideo(video, (ids) => ({ type: 'video.ready', ...ids, metadata, thumbnailUrl }));
  }

  videoFailed(video: Pick<Video, 'id' | 'uploadId' | 'ownerId'>, reason: string): Promise<void> {
    return this.aboutVideo(video, (ids) => ({ type: 'video.failed', ...ids, reason }));
  }

  /** An event about a video, in the batch of its upload (the video's row does not name it). */
  private async aboutVideo(
    video: Pick<Video, 'id' | 'uploadId' | 'ownerId'>,
    make: (ids: { batchId: string; uploadId: string; videoId: string }) => BatchEvent,
  ): Promise<void> {
    let batchId: string | undefined;
    try {
      batchId = (await this.repository.findSession(video.uploadId))?.batchId;
    } catch (error) {
      this.logger.warn(`video ${video.id}: its batch is unknown, its event not told: ${(error as Error).message}`);
    }
    if (batchId) await this.tell(video.ownerId, make({ batchId, uploadId: video.uploadId, videoId: video.id }));
  }

  /** `batch.completed`, once, when the last open file of the batch ended and one at least completed. */
  private async batchMayHaveEnded(session: SessionRef): Promise<void> {
    try {
      const uploads = await this.completion.endedUploads(session.batchId);
      if (!uploads) return;
      if (!(await this.log.once(`batch-completed:${session.batchId}`, this.settings.retentionSeconds))) return;
      await this.tell(session.ownerId, { type: 'batch.completed', batchId: session.batchId, uploads });
    } catch (error) {
      this.logger.warn(`batch ${session.batchId}: could not tell whether it ended: ${(error as Error).message}`);
    }
  }

  private async tell(ownerId: string, event: BatchEvent): Promise<void> {
    try {
      const id = await this.log.append(event);
      if (isWebhookEvent(event)) await this.webhooks.dispatch(ownerId, event, eventTime(id));
    } catch (error) {
      this.logger.warn(`${event.type} of batch ${event.batchId} not told: ${(error as Error).message}`);
    }
  }
}
