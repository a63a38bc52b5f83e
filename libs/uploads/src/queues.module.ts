/**
 * The BullMQ connection shared by the API (producer) and the worker (consumer).
 *
 * The queues' prefix is a Redis Cluster hash tag (`{<REDIS_PREFIX>bull}`): BullMQ's scripts touch
 * several keys of a queue at once, and on a cluster those must live in one slot (BullMQ's guide,
 * "Redis Cluster"). The progress keys carry their own per-upload tag (libs/progress).
 */
import { type DynamicModule, Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { Redis } from 'ioredis';

const QUEUE_CONNECTION = Symbol('QUEUE_CONNECTION');

/** BullMQ closes the connections it made itself, not the one it was given: this one is ours to quit. */
@Injectable()
class QueueConnectionCloser implements OnApplicationShutdown {
  constructor(@Inject(QUEUE_CONNECTION) private readonly connection: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}

@Module({})
export class QueuesModule {
  static forRoot(options: { url: string; prefix: string }): DynamicModule {
    // BullMQ needs maxRetriesPerRequest null: a blocked worker must wait for Redis, not throw.
    const connection = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true });
    return {
      module: QueuesModule,
      global: true,
      imports: [
        BullModule.forRoot({
          connection,
          prefix: bullPrefix(options.prefix),
          defaultJobOptions: {
            attempts: 5,
            backoff: { type: 'exponential', delay: 5_000 },
            removeOnComplete: { age: 7 * 24 * 3600 },
            removeOnFail: { age: 30 * 24 * 3600 },
          },
        }),
      ],
      providers: [{ provide: QUEUE_CONNECTION, useValue: connection }, QueueConnectionCloser],
      exports: [BullModule],
    };
  }
}

/** BullMQ's key prefix for a deployment's REDIS_PREFIX, as a Redis Cluster hash tag. */
export const bullPrefix = (redisPrefix: string): string => `{${redisPrefix}bull}`;
