/**
 * upload-cleanup: a repeatable job that expires abandoned uploads. Storj has no bucket lifecycle
 * rules, so nothing else ever aborts a multipart upload a client walked away from, and its parts are
 * billed. Each run takes the open sessions past their expiry, aborts their multipart uploads, deletes
 * whatever single-PUT (or half-completed) object they left, marks them `expired` and drops their
 * Redis progress. Every worker schedules the job under one scheduler id (BullMQ keeps one schedule),
 * and the rows are claimed with SKIP LOCKED, so running it on several workers at once is safe.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Job, Queue } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#config';
import { ProgressStore } from '#progress';
import { ObjectStorage } from '#storage';
import { UPLOAD_CLEANUP_QUEUE, type UploadSession, UploadSessionRepository } from '#videos';
import type { JobHandler } from '../job-handler.js';

const SCHEDULER_ID = 'expire-abandoned-uploads';
/** Sessions per database round; a run goes on while full rounds come back. */
const BATCH = 100;

export interface CleanupResult {
  expired: number;
  failed: number;
}

@Injectable()
export class CleanupUploadsProcessor implements JobHandler<unknown, CleanupResult>, OnApplicationBootstrap {
  readonly queue = UPLOAD_CLEANUP_QUEUE;
  /** One run at a time per process is plenty; parallel runs would only compete for the same rows. */
  readonly concurrency = 1;
  private readonly logger = new Logger(CleanupUploadsProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectQueue(UPLOAD_CLEANUP_QUEUE) private readonly schedule: Queue,
    private readonly sessions: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // A run that fails is simply the next run's work: no retries piling up behind the schedule.
    await this.schedule.upsertJobScheduler(
      SCHEDULER_ID,
      { every: this.config.worker.cleanupIntervalMs },
      { name: 'expire', opts: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 } },
    );
  }

  async handle(_job: Job, _token: string | undefined, signal: AbortSignal): Promise<CleanupResult> {
    const result: CleanupResult = { expired: 0, failed: 0 };
    for (let full = true; full && !signal.aborted; ) {
      const outcome = await this.sessions.expireAbandoned(BATCH, (s) => this.release(s));
      for (const session of outcome.expired) await this.forgetProgress(session);
      for (const { sessionId, error } of outcome.failed) this.logger.warn(`upload ${sessionId} could not be cleaned up yet: ${(error as Error).message}`);
      result.expired += outcome.expired.length;
      result.failed += outcome.failed.length;
      full = outcome.expired.length === BATCH;
    }
    if (result.expired + result.failed > 0) this.logger.log(`cleanup: ${result.expired} abandoned uploads expired, ${result.failed} left for the next run`);
    return result;
  }

  /** Runs while the session's row is locked; throwing leaves the session open for the next run. */
  private async release(session: UploadSession): Promise<void> {
    if (session.storageUploadId) await this.storage.abortMultipart(session.storageKey, session.storageUploadId);
    // The key is the session's own: an object there (a single PUT, or a multipart upload completed
    // by a complete call that then failed) belongs to no video.
    await this.storage.delete(session.storageKey);
    this.logger.log(`upload ${session.id} expired: storage released`);
  }

  /** The keys expire on their own at the session's expiry anyway; a failure here is only logged. */
  private async forgetProgress(session: UploadSession): Promise<void> {
    await this.progress.remove(session.id).catch((e: Error) => this.logger.warn(`progress of upload ${session.id} not removed: ${e.message}`));
  }
}
