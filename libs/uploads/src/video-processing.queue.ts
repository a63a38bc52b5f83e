/**
 * Where completion hands a video to the worker. A port, so that the use cases can be tested without
 * Redis; BullVideoProcessingQueue is the one the apps use.
 */
import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { processVideoJobId, type ProcessVideoJobData, VIDEO_PROCESSING_QUEUE } from './jobs.js';

export abstract class VideoProcessingQueue {
  /**
   * Queues the processing of a video. Idempotent: a video already queued is not queued twice.
   * `requestId`: the X-Request-Id of the request that completed it, for the worker's log lines.
   */
  abstract enqueue(videoId: string, requestId?: string): Promise<void>;

  /**
   * Queues the videos that have no job (lost with Redis, or never queued because the API stopped
   * between the database and the queue) and answers their ids. A video whose job exists, in any state,
   * is left alone: it is never queued twice.
   */
  abstract enqueueMissing(videoIds: readonly string[]): Promise<string[]>;
}

@Injectable()
export class BullVideoProcessingQueue extends VideoProcessingQueue {
  constructor(@InjectQueue(VIDEO_PROCESSING_QUEUE) private readonly queue: Queue<ProcessVideoJobData>) {
    super();
  }

  async enqueue(videoId: string, requestId?: string): Promise<void> {
    await this.queue.add('process', { videoId, requestId }, { jobId: processVideoJobId(videoId) });
  }

  async enqueueMissing(videoIds: readonly string[]): Promise<string[]> {
    const missing: string[] = [];
    for (const videoId of videoIds) {
      if (await this.queue.getJob(processVideoJobId(videoId))) continue;
      // Another worker may queue it between the look-up and here: add is a no-op for an existing id.
      await this.enqueue(videoId);
      missing.push(videoId);
    }
    return missing;
  }
}
