import { type DynamicModule, Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { type AppConfig, ConfigModule } from '#config';
import { ProgressModule } from '#progress';
import { StorageModule } from '#storage';
import {
  QueuesModule,
  UPLOAD_CLEANUP_QUEUE,
  UploadsModule,
  VIDEO_PROCESSING_QUEUE,
  WEBHOOK_DELIVERY_QUEUE,
} from '#uploads';
import { VideosModule } from '#videos';
import { JOB_HANDLERS, type JobHandler } from './job-handler.js';
import { VideoProcessingService } from './processing/video-processing.service.js';
import { CleanupUploadsProcessor } from './processors/cleanup-uploads.processor.js';
import { DeliverWebhookProcessor } from './processors/deliver-webhook.processor.js';
import { ProcessVideoProcessor } from './processors/process-video.processor.js';
import { QueueWorkers } from './queue-workers.js';

/** The worker shares configuration, storage and data access with the API; it has no HTTP server. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        // Migrations are the API's (and `npm run migrate`'s) job; several workers must not race them.
        VideosModule.forRoot({ url: config.database.url, migrate: false }),
        // The disk driver's signed URLs are served by the API: ffprobe reaches the file through it.
        StorageModule.forRoot(config.storage, { publicUrl: config.http.publicUrl }),
        ProgressModule.forRoot({ url: config.redis.url, keyPrefix: config.redis.prefix }),
        QueuesModule.forRoot(config.redis),
        UploadsModule.forRoot(config.upload, config.events),
        BullModule.registerQueue(
          { name: VIDEO_PROCESSING_QUEUE },
          { name: UPLOAD_CLEANUP_QUEUE },
          { name: WEBHOOK_DELIVERY_QUEUE },
        ),
      ],
      providers: [
        VideoProcessingService,
        ProcessVideoProcessor,
        CleanupUploadsProcessor,
        DeliverWebhookProcessor,
        // One entry per queue: QueueWorkers refuses to start when a queue of WORKER_QUEUES is missing here.
        {
          provide: JOB_HANDLERS,
          useFactory: (...handlers: JobHandler[]) => handlers,
          inject: [ProcessVideoProcessor, CleanupUploadsProcessor, DeliverWebhookProcessor],
        },
        QueueWorkers,
      ],
    };
  }
}
