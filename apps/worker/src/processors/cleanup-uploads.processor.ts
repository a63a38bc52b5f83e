/**
 * upload-cleanup: a repeatable job, every WORKER_CLEANUP_INTERVAL_SECONDS, that runs three use cases
 * of libs/uploads: ExpireUploads (abandoned sessions), AbortOrphanUploads (multipart uploads of no
 * session, left by a crashed init) and RequeueUnprocessedVideos (videos whose processing job was lost).
 *
 * Every worker schedules it under one scheduler id (BullMQ keeps one schedule), and each use case is
 * safe with several workers at once. The schedule lives in Redis, so it is lost with Redis's keys:
 * each worker checks it at the cleanup interval (at least every minute) and puts it back when missing.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#config';
import {
  AccessTokens,
  AbortOrphanUploads,
  type AbortOrphanUploadsResult,
  ExpireUploads,
  type ExpireUploadsResult,
  RequeueUnprocessedVideos,
  type RequeueUnprocessedVideosResult,
  UPLOAD_CLEANUP_QUEUE,
} from '#uploads';
import type { JobHandler } from '../job-handler.js';

const SCHEDULER_ID = 'expire-abandoned-uploads';
/** The schedule is checked at the cleanup interval, but never less often than this (milliseconds). */
const MAX_SCHEDULE_CHECK_MS = 60_000;

export interface CleanupResult {
  sessions: ExpireUploadsResult;
  orphans: AbortOrphanUploadsResult;
  videos: RequeueUnprocessedVideosResult;
  /** Minted access tokens (Uppy endpoints) removed because they expired. */
  accessTokens: number;
}

@Injectable()
export class CleanupUploadsProcessor
  implements JobHandler<unknown, CleanupResult>, OnApplicationBootstrap, OnApplicationShutdown
{
  readonly queue = UPLOAD_CLEANUP_QUEUE;
  /** One run at a time per process is plenty; parallel runs would only compete for the same rows. */
  readonly concurrency = 1;
  private readonly logger = new Logger(CleanupUploadsProcessor.name);
  private scheduleCheck?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(UPLOAD_CLEANUP_QUEUE) private readonly schedule: Queue,
    private readonly expireUploads: ExpireUploads,
    private readonly abortOrphanUploads: AbortOrphanUploads,
    private readonly requeueUnprocessedVideos: RequeueUnprocessedVideos,
    private readonly accessTokens: AccessTokens,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.upsertSchedule();
    const every = Math.min(this.config.worker.cleanupIntervalMs, MAX_SCHEDULE_CHECK_MS);
    this.scheduleCheck = setInterval(() => void this.restoreSchedule(), every);
  }

  onApplicationShutdown(): void {
    clearInterval(this.scheduleCheck);
  }

  async handle(_job: Job, _token: string | undefined, signal: AbortSignal): Promise<CleanupResult> {
    const sessions = await this.expireUploads.execute({ signal });
    const orphans = await this.abortOrphanUploads.execute();
    const { lockDurationMs, mediaTimeoutMs } = this.config.worker;
    // A run is a probe and a thumbnail (each at most one media timeout) and a hash, under a job lock.
    const videos = await this.requeueUnprocessedVideos.execute({
      processingStaleAfterMs: 3 * mediaTimeoutMs + lockDurationMs,
    });
    const accessTokens = await this.accessTokens.deleteExpired();
    return { sessions, orphans, videos, accessTokens };
  }

  /** Puts the schedule back when Redis lost it; upserting an existing one would move its next run. */
  private async restoreSchedule(): Promise<void> {
    try {
      if (await this.schedule.getJobScheduler(SCHEDULER_ID)) return;
      await this.upsertSchedule();
      this.logger.warn('the cleanup schedule was missing from Redis (keys lost?): scheduled again');
    } catch (error) {
      this.logger.warn(`cleanup schedule not checked: ${(error as Error).message}`);
    }
  }

  private async upsertSchedule(): Promise<void> {
    // A run that fails is simply the next run's work: no retries piling up behind the schedule.
    await this.schedule.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.config.worker.cleanupIntervalMs },
      { name: 'expire', opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
}
