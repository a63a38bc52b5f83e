/**
 * Runs one BullMQ Worker per queue, for the handlers the module provides. Built here rather than with
 * @nestjs/bullmq's @Processor because concurrency, lock duration and stalled interval come from the
 * validated configuration at start-up, while @Processor's options are fixed when the class is declared.
 *
 * Start-up fails when a queue has no handler. On shutdown each worker stops taking jobs and waits
 * for the current ones; past the grace time they are aborted and handed back to the queue, so the
 * process exits before an orchestrator's SIGKILL. A worker killed outright loses its locks, and
 * another worker's stalled-job check puts its jobs back in the queue.
 */
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { type Job, type Queue, WaitingError, Worker } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '#config';
import { jobDuration, jobFailures, withLogContext } from '#observability';
import { WORKER_QUEUES } from '#uploads';
import { checkHandlers, JOB_HANDLERS, type JobHandler } from './job-handler.js';

/**
 * A job may start this many times (retries, stalls, hand-backs) before it fails for good. It is the
 * cap that fails a file which kills its worker every time; the stalled limit is set above it so that
 * such a job always ends through a worker, which records why on the video.
 */
const MAX_STARTS = 10;

@Injectable()
export class QueueWorkers implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(QueueWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JOB_HANDLERS) private readonly handlers: JobHandler[],
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const problems = checkHandlers(
      WORKER_QUEUES,
      this.handlers.map((h) => h.queue),
    );
    if (problems.length > 0) throw new Error(`The worker cannot start: ${problems.join('; ')}`);
  }

  onApplicationBootstrap(): void {
    for (const handler of this.handlers) this.workers.push(this.start(handler));
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.logger.log(
      `stopping (${signal ?? 'shutdown'}): no new jobs; current ones get ${this.config.worker.shutdownGraceMs} ms`,
    );
    const release = setTimeout(() => {
      this.logger.warn('grace time over: handing the current jobs back to the queue');
      for (const worker of this.workers) worker.cancelAllJobs('worker shutting down');
    }, this.config.worker.shutdownGraceMs);
    await Promise.all(this.workers.map((w) => w.close()));
    clearTimeout(release);
  }

  private start(handler: JobHandler): Worker {
    // The queue registered by BullModule carries the shared connection and the deployment's prefix.
    const queue = this.moduleRef.get<Queue>(getQueueToken(handler.queue), { strict: false });
    const { worker: settings } = this.config;
    // Three declared parameters: BullMQ passes the abort signal only to a processor that takes it.
    const processor = (job: Job, token: string | undefined, signal: AbortSignal | undefined) =>
      runJob(handler.queue, job, () => handler.handle(job, token, signal ?? new AbortController().signal));
    const worker = new Worker(handler.queue, processor, {
      connection: queue.opts.connection,
      prefix: queue.opts.prefix,
      concurrency: handler.concurrency ?? settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      maxStalledCount: MAX_STARTS + 1,
      maxStartedAttempts: MAX_STARTS,
    });
    worker.on('failed', (job, error) => {
      if (!job) return;
      jobFailures.inc({ queue: handler.queue });
      this.logger.warn(`${handler.queue} job ${job.id} attempt ${job.attemptsMade} failed: ${error.message}`);
      // finishedOn is set only when BullMQ gives up on the job (no retry scheduled).
      if (job.finishedOn && handler.onFailedForGood) {
        handler
          .onFailedForGood(job, error)
          .catch((e: Error) => this.logger.error(`recording the failure of job ${job.id}: ${e.message}`));
      }
    });
    worker.on('stalled', (jobId) =>
      this.logger.warn(`${handler.queue} job ${jobId} stalled (its worker stopped); it runs again`),
    );
    worker.on('error', (error) => this.logger.error(`${handler.queue} worker: ${error.message}`));
    return worker;
  }
}

/**
 * Runs one job with its log context (queue, job id, and the X-Request-Id of the request that queued it,
 * on every line the job logs) and times it by outcome: completed, failed, or released (handed back to
 * the queue on shutdown).
 */
function runJob<T>(queue: string, job: Job, work: () => Promise<T>): Promise<T> {
  const requestId = (job.data as { requestId?: unknown } | undefined)?.requestId;
  const bindings = { queue, jobId: job.id, reqId: typeof requestId === 'string' ? requestId : undefined };
  return withLogContext(bindings, async () => {
    const end = jobDuration.startTimer({ queue });
    try {
      const result = await work();
      end({ outcome: 'completed' });
      return result;
    } catch (error) {
      end({ outcome: error instanceof WaitingError ? 'released' : 'failed' });
      throw error;
    }
  });
}
