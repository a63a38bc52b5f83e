/**
 * upload-cleanup: a repeatable job that runs the ExpireUploads use case (libs/uploads) every
 * WORKER_CLEANUP_INTERVAL_SECONDS. Every worker schedules it under one scheduler id (BullMQ keeps one
 * schedule), and the use case claims sessions with SKIP LOCKED, so several workers at once are safe.
 */
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#config';
import { ExpireUploads, type ExpireUploadsResult, UPLOAD_CLEANUP_QUEUE } from '#uploads';
import type { JobHandler } from '../job-handler.js';

const SCHEDULER_ID = 'expire-abandoned-uploads';

@Injectable()
export class CleanupUploadsProcessor implements JobHandler<unknown, ExpireUploadsResult>, OnApplicationBootstrap {
  readonly queue = UPLOAD_CLEANUP_QUEUE;
  /** One run at a time per process is plenty; parallel runs would only compete for the same rows. */
  readonly concurrency = 1;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(UPLOAD_CLEANUP_QUEUE) private readonly schedule: Queue,
    private readonly expireUploads: ExpireUploads,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A run that fails is simply the next run's work: no retries piling up behind the schedule.
    await this.schedule.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.config.worker.cleanupIntervalMs },
      { name: 'expire', opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  handle(_job: Job, _token: string | undefined, signal: AbortSignal): Promise<ExpireUploadsResult> {
    return this.expireUploads.execute({ signal });
  }
}
