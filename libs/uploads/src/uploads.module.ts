/**
 * The upload use cases for the API and the worker (the cleanup: expiry, orphans, lost jobs). Storage, progress
 * and the repository come from their own global library modules; the processing queue from BullMQ.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import type { Redis } from 'ioredis';
import { PROGRESS_REDIS } from '#progress';
import { BatchCompletion } from './events/batch-completion.js';
import { BatchEventLog } from './events/batch-event-log.js';
import { BatchNotifier } from './events/batch-notifier.js';
import { EVENT_SETTINGS, type EventSettings } from './events/event-settings.js';
import { RedisBatchEventLog } from './events/redis-batch-event-log.js';
import { VIDEO_PROCESSING_QUEUE, WEBHOOK_DELIVERY_QUEUE } from './jobs.js';
import { ManageWebhooks } from './use-cases/manage-webhooks.use-case.js';
import { MintEventsToken } from './use-cases/mint-events-token.use-case.js';
import { WatchBatch } from './use-cases/watch-batch.use-case.js';
import { BullWebhookDispatch, WebhookDispatch } from './webhooks/webhook-dispatch.js';
import { PartUrls } from './part-urls.js';
import { ProgressSync } from './progress-sync.js';
import { UploadSessions } from './upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from './upload-settings.js';
import { AccessTokens } from './access-tokens.js';
import { Readiness } from './readiness.js';
import { ListClientParts } from './use-cases/list-client-parts.use-case.js';
import { SignClientParts } from './use-cases/sign-client-parts.use-case.js';
import { StartClientSizedUpload } from './use-cases/start-client-sized-upload.use-case.js';
import { StoreClientPart } from './use-cases/store-client-part.use-case.js';
import { AbortOrphanUploads } from './use-cases/abort-orphan-uploads.use-case.js';
import { AbortUpload } from './use-cases/abort-upload.use-case.js';
import { CompleteBatch } from './use-cases/complete-batch.use-case.js';
import { CompleteUpload } from './use-cases/complete-upload.use-case.js';
import { ExpireUploads } from './use-cases/expire-uploads.use-case.js';
import { InitBatch } from './use-cases/init-batch.use-case.js';
import { ReadBatch } from './use-cases/read-batch.use-case.js';
import { ReadProgress } from './use-cases/read-progress.use-case.js';
import { ReceiveChunk } from './use-cases/receive-chunk.use-case.js';
import { RequeueUnprocessedVideos } from './use-cases/requeue-unprocessed-videos.use-case.js';
import { RetryFailedChunks } from './use-cases/retry-failed-chunks.use-case.js';
import { BullVideoProcessingQueue, VideoProcessingQueue } from './video-processing.queue.js';
import { TusSpools } from './tus/tus-spools.js';
import { CreateTusUpload } from './use-cases/create-tus-upload.use-case.js';
import { ReadTusUpload } from './use-cases/read-tus-upload.use-case.js';
import { TerminateTusUpload } from './use-cases/terminate-tus-upload.use-case.js';
import { WriteTusUpload } from './use-cases/write-tus-upload.use-case.js';

const USE_CASES = [
  InitBatch,
  ReceiveChunk,
  RetryFailedChunks,
  CompleteUpload,
  AbortUpload,
  ReadProgress,
  ReadBatch,
  CompleteBatch,
  ExpireUploads,
  AbortOrphanUploads,
  RequeueUnprocessedVideos,
  StartClientSizedUpload,
  SignClientParts,
  ListClientParts,
  StoreClientPart,
  AccessTokens,
  Readiness,
  CreateTusUpload,
  WriteTusUpload,
  ReadTusUpload,
  TerminateTusUpload,
  WatchBatch,
  MintEventsToken,
  ManageWebhooks,
  BatchNotifier,
];

@Module({})
export class UploadsModule {
  static forRoot(settings: UploadSettings, events: EventSettings): DynamicModule {
    return {
      module: UploadsModule,
      global: true,
      imports: [BullModule.registerQueue({ name: VIDEO_PROCESSING_QUEUE }, { name: WEBHOOK_DELIVERY_QUEUE })],
      providers: [
        { provide: UPLOAD_SETTINGS, useValue: settings },
        { provide: EVENT_SETTINGS, useValue: events },
        { provide: VideoProcessingQueue, useClass: BullVideoProcessingQueue },
        { provide: WebhookDispatch, useClass: BullWebhookDispatch },
        {
          provide: BatchEventLog,
          useFactory: (redis: Redis) => new RedisBatchEventLog(redis, events),
          inject: [PROGRESS_REDIS],
        },
        BatchCompletion,
        UploadSessions,
        ProgressSync,
        PartUrls,
        TusSpools,
        ...USE_CASES,
      ],
      exports: [...USE_CASES, EVENT_SETTINGS],
    };
  }
}
