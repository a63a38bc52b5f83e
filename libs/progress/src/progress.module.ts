/** Provides ProgressStore over one ioredis connection, for the API and the worker. */
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { ProgressStore } from './progress.store.js';
import { RedisProgressStore } from './redis-progress.store.js';

export const PROGRESS_REDIS = Symbol('PROGRESS_REDIS');

export interface ProgressModuleOptions {
  url: string;
  keyPrefix: string;
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(PROGRESS_REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({})
export class ProgressModule {
  static forRoot(options: ProgressModuleOptions): DynamicModule {
    return {
      module: ProgressModule,
      global: true,
      providers: [
        { provide: PROGRESS_REDIS, useFactory: () => new Redis(options.url, { lazyConnect: false }) },
        {
          provide: ProgressStore,
          useFactory: (redis: Redis) => new RedisProgressStore(redis, { keyPrefix: options.keyPrefix }),
          inject: [PROGRESS_REDIS],
        },
        RedisCloser,
      ],
      exports: [ProgressStore, PROGRESS_REDIS],
    };
  }
}
