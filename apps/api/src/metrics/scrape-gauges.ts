/**
 * The API's gauges read at scrape time, so that nothing is counted on the request path:
 * - reelay_upload_sessions_open: sessions open and not expired, from PostgreSQL (an index-only count);
 * - reelay_queue_jobs{queue,state}: the jobs of the queues the API feeds (video-processing,
 *   webhook-delivery) by state, from BullMQ's counts. The API
 *   reports it rather than the worker: a backlog matters most when no worker is up to report it.
 * A source that fails keeps its last value in that scrape (and says why in the log) rather than failing
 * the whole scrape.
 */
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { Gauge, register } from 'prom-client';
import { VIDEO_PROCESSING_QUEUE, WEBHOOK_DELIVERY_QUEUE } from '#uploads';
import { UploadSessionRepository } from '#videos';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;

@Injectable()
export class ScrapeGauges implements OnModuleInit {
  private readonly logger = new Logger(ScrapeGauges.name);

  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const queues = [VIDEO_PROCESSING_QUEUE, WEBHOOK_DELIVERY_QUEUE].map(
      (name) => [name, this.moduleRef.get<Queue>(getQueueToken(name), { strict: false })] as const,
    );
    const sessions = this.sessions;
    const failed = (what: string) => (error: unknown) =>
      this.logger.warn(`metrics: ${what} not read: ${(error as Error).message}`);
    gauge({
      name: 'reelay_upload_sessions_open',
      help: 'Upload sessions open and not expired (all API instances see the same number)',
      async collect() {
        await sessions.countOpenSessions().then((open) => this.set(open), failed('open sessions'));
      },
    });
    gauge({
      name: 'reelay_queue_jobs',
      help: 'Jobs of a queue by state (waiting, active, delayed, prioritized, failed)',
      labelNames: ['queue', 'state'],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(([name, queue]) =>
            queue.getJobCounts(...JOB_STATES).then(
              (counts) => {
                for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
              },
              failed(`${name} depth`),
            ),
          ),
        );
      },
    });
  }
}

/** A gauge on the default registry, replacing one of the same name (a second app in one process). */
function gauge(configuration: ConstructorParameters<typeof Gauge<string>>[0]): void {
  register.removeSingleMetric(configuration.name);
  new Gauge(configuration);
}
