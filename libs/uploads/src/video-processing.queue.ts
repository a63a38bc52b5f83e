/**
 * Where completion hands a video to the worker. A port, so that the use cases can be tested without
 * Redis; BullVideoProcessingQueue is the one the apps use.
 */
import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { processVideoJobId, type ProcessVideoJobData, VIDEO_PROCESSING_QUEUE } from './jobs.js';

export abstract class VideoProcessingQueue {
  /** Queues the processing of a video. Idempotent: a video already queued is not queued twice. */
  abstract enqueue(videoId: string): Promise<void>;
}

@Injectable()
export class BullVideoProcessingQueue extends VideoProcessingQueue {
  constructor(@InjectQueue(VIDEO_PROCESSING_QUEUE) private readonly queue: Queue<ProcessVideoJobData>) {
    super();
  }

  async enqueue(videoId: string): Promise<void> {
    await this.queue.add('process', { videoId }, { jobId: processVideoJobId(videoId) });
  }
}
