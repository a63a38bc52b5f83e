import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig, ConfigModule } from '#config';
import { ProgressModule } from '#progress';
import { StorageModule } from '#storage';
import { QueuesModule, UploadsModule } from '#uploads';
import { VideosModule } from '#videos';
import { AuthGuard } from './auth/auth.guard.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { RateLimitGuard, rateLimitModule } from './auth/rate-limits.js';
import { HealthController } from './health/health.controller.js';
import { ScrapeGauges } from './metrics/scrape-gauges.js';
import { UppyModule } from './uppy/uppy.module.js';
import { TusModule } from './tus/tus.module.js';
import { VideosBatchModule } from './videos-batch/videos-batch.module.js';
import { VideosApiModule } from './videos/videos.module.js';
import { WebhooksApiModule } from './webhooks/webhooks.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        VideosModule.forRoot(config.database),
        ProgressModule.forRoot({ url: config.redis.url, keyPrefix: config.redis.prefix }),
        StorageModule.forRoot(config.storage, { publicUrl: config.http.publicUrl, checkBrowserCors: true }),
        QueuesModule.forRoot(config.redis),
        UploadsModule.forRoot(config.upload, config.events),
        rateLimitModule(config),
        VideosBatchModule,
        VideosApiModule,
        WebhooksApiModule,
        UppyModule,
        TusModule,
      ],
      controllers: [HealthController],
      // In this order: who is calling, then how often they may.
      providers: [
        { provide: JwtVerifier, useFactory: (c: AppConfig) => new JwtVerifier(c.auth), inject: [APP_CONFIG] },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        ScrapeGauges,
      ],
    };
  }
}
