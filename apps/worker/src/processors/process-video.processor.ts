/**
 * video-processing: one job per completed upload (job id `process-<videoId>`). Moves the video
 * uploaded -> processing -> ready | failed. A file that is not a video fails at once (BullMQ's
 * UnrecoverableError: no retry); other errors are retried with the queue's exponential backoff, and
 * the video fails with the last error once no attempt is left. A job that runs again after its video
 * is ready or failed changes nothing. Each step is told to the batch's listeners and webhooks
 * (BatchNotifier): processing.started, then video.ready with the metadata or video.failed with the reason.
 */
import { Injectable, Logger } from '@nestjs/common';
import { type Job, UnrecoverableError } from 'bullmq';
import { uploadsFailed } from '#observability';
import { BatchNotifier, type ProcessVideoJobData, VIDEO_PROCESSING_QUEUE } from '#uploads';
import { UploadSessionRepository, type VideoStatus } from '#videos';
import { abortable, type JobHandler, releaseJob } from '../job-handler.js';
import { VideoRejectedError } from '../media/media.error.js';
import { VideoProcessingService } from '../processing/video-processing.service.js';

export interface ProcessVideoResult {
  videoId: string;
  status: VideoStatus;
}

@Injectable()
export class ProcessVideoProcessor implements JobHandler<ProcessVideoJobData, ProcessVideoResult> {
  readonly queue = VIDEO_PROCESSING_QUEUE;
  private readonly logger = new Logger(ProcessVideoProcessor.name);

  constructor(
    private readonly videos: UploadSessionRepository,
    private readonly processing: VideoProcessingService,
    private readonly notifier: BatchNotifier,
  ) {}

  async handle(
    job: Job<ProcessVideoJobData>,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<ProcessVideoResult> {
    const { videoId } = job.data;
    const video = await this.videos.startProcessing(videoId);
    if (!video) return this.alreadyDone(videoId);
    // A retry starts it again: said once, on the first attempt.
    if (job.attemptsStarted <= 1) await this.notifier.processingStarted(video);
    try {
      const result = await abortable(this.processing.process(video, signal), signal);
      const finished = await this.videos.finishProcessing(videoId, result);
      this.logger.log(
        `video ${videoId} ready: ${result.width}x${result.height} ${result.videoCodec}, ${result.durationSeconds} s`,
      );
      if (finished) await this.notifier.videoReady(video, result);
      return { videoId, status: 'ready' };
    } catch (error) {
      if (signal.aborted) return releaseJob(job, token);
      if (!(error instanceof VideoRejectedError)) throw error;
      const failed = await this.videos.failProcessing(videoId, error.message);
      this.logger.warn(`video ${videoId} failed: ${error.message}`);
      uploadsFailed.inc({ reason: 'rejected' });
      if (failed) await this.notifier.videoFailed(video, error.message);
      throw new UnrecoverableError(error.message);
    }
  }

  /** Transient errors ran out of attempts (or the job kept killing its worker): say so on the video. */
  async onFailedForGood(job: Job<ProcessVideoJobData>, error: Error): Promise<void> {
    const reason = `processing failed after ${job.attemptsStarted} attempts: ${error.message}`;
    if (!(await this.videos.failProcessing(job.data.videoId, reason))) return;
    this.logger.warn(`video ${job.data.videoId} failed: ${reason}`);
    uploadsFailed.inc({ reason: 'attempts' });
    const video = await this.videos.findVideo(job.data.videoId);
    if (video) await this.notifier.videoFailed(video, reason);
  }

  private async alreadyDone(videoId: string): Promise<ProcessVideoResult> {
    const video = await this.videos.findVideo(videoId);
    if (!video) throw new UnrecoverableError(`video ${videoId} does not exist`);
    return { videoId, status: video.status };
  }
}
