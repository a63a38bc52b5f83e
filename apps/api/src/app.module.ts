import { type DynamicModule, Module } from '@nestjs/common';
import { type AppConfig, ConfigModule } from '#config';
import { ProgressModule } from '#progress';
import { StorageModule } from '#storage';
import { QueuesModule, VideosModule } from '#videos';
import { HealthController } from './health/health.controller.js';
import { DISK_STORAGE_PATH } from './storage-disk/disk-storage.route.js';
import { VideosBatchModule } from './videos-batch/videos-batch.module.js';
import { VideosApiModule } from './videos/videos.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        VideosModule.forRoot(config.database),
        ProgressModule.forRoot({ url: config.redis.url, keyPrefix: config.redis.prefix }),
        StorageModule.forRoot(config.storage, { signedUrlBase: config.http.publicUrl + DISK_STORAGE_PATH }),
        QueuesModule.forRoot(config.redis),
        VideosBatchModule,
        VideosApiModule,
      ],
      controllers: [HealthController],
    };
  }
}
