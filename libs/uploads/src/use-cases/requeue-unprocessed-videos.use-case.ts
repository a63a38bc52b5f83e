/**
 * Requeue unprocessed videos: part of the cleanup. PostgreSQL, not Redis, is the truth for what must
 * be processed: a video `uploaded` (or `processing`, but untouched for longer than any run can take)
 * whose processing job is missing lost it with Redis, or never got it because the API stopped between
 * the database and the queue. Each gets its job again (job ids are per video, so never two at once).
 */
import { Injectable, Logger } from '@nestjs/common';
import { UploadSessionRepository } from '#videos';
import { VideoProcessingQueue } from '../video-processing.queue.js';

/** Videos per round; a run goes on while full rounds come back. */
const BATCH = 500;

export interface RequeueUnprocessedVideosCommand {
  /**
   * A `processing` video untouched for this long has no run in progress (milliseconds): longer than a
   * run's media timeouts and a job lock together.
   */
  processingStaleAfterMs: number;
  now?: Date;
}

export interface RequeueUnprocessedVideosResult {
  /** Videos whose job was missing and was queued again. */
  requeued: number;
}

@Injectable()
export class RequeueUnprocessedVideos {
  private readonly logger = new Logger(RequeueUnprocessedVideos.name);

  constructor(
    private readonly repository: UploadSessionRepository,
    private readonly queue: VideoProcessingQueue,
  ) {}

  async execute({
    processingStaleAfterMs,
    now = new Date(),
  }: RequeueUnprocessedVideosCommand): Promise<RequeueUnprocessedVideosResult> {
    const staleBefore = new Date(now.getTime() - processingStaleAfterMs);
    const requeued: string[] = [];
    let afterId: string | undefined;
    for (;;) {
      const ids = await this.repository.videosAwaitingProcessing(staleBefore, BATCH, afterId);
      requeued.push(...(await this.queue.enqueueMissing(ids)));
      if (ids.length < BATCH) break;
      afterId = ids[ids.length - 1];
    }
    if (requeued.length > 0)
      this.logger.warn(
        `cleanup: ${requeued.length} videos had lost their processing job and were queued again: ${requeued.join(', ')}`,
      );
    return { requeued: requeued.length };
  }
}
