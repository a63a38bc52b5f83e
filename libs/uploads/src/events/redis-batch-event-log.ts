/**
 * BatchEventLog on Redis Streams: one stream per batch, `<prefix>events:{<batchId>}`, each entry one
 * field `e` holding the event as JSON. Its entry ids are the SSE ids, so Last-Event-ID resumes with an
 * XRANGE from the exclusive id. The stream is trimmed to about EVENTS_MAX_PER_BATCH entries and expires
 * EVENTS_RETENTION_SECONDS after its last event: XADD and EXPIRE go in one round trip (a pipeline).
 */
import type { Redis } from 'ioredis';
import type { BatchEvent, LoggedBatchEvent } from './batch-event.js';
import { BatchEventLog, eventTime } from './batch-event-log.js';

export interface RedisBatchEventLogOptions {
  keyPrefix: string;
  maxPerBatch: number;
  retentionSeconds: number;
}

export class RedisBatchEventLog extends BatchEventLog {
  constructor(
    private readonly redis: Redis,
    private readonly options: RedisBatchEventLogOptions,
  ) {
    super();
  }

  async append(event: BatchEvent): Promise<string> {
    const key = this.key(event.batchId);
    const { maxPerBatch, retentionSeconds } = this.options;
    const results = await this.redis
      .pipeline()
      .xadd(key, 'MAXLEN', '~', maxPerBatch, '*', 'e', JSON.stringify(event))
      .expire(key, retentionSeconds)
      .exec();
    const [error, id] = results?.[0] ?? [new Error('no answer to XADD'), null];
    if (error) throw error;
    return String(id);
  }

  async read(batchId: string, afterId: string | null, count: number): Promise<LoggedBatchEvent[]> {
    const entries = await this.redis.xrange(this.key(batchId), afterId ? `(${afterId}` : '-', '+', 'COUNT', count);
    return entries.map(([id, fields]) => ({
      id,
      at: eventTime(id),
      event: JSON.parse(fields[fields.indexOf('e') + 1]) as BatchEvent,
    }));
  }

  async once(key: string, ttlSeconds: number): Promise<boolean> {
    return (await this.redis.set(`${this.options.keyPrefix}once:{${key}}`, '1', 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  private key(batchId: string): string {
    return `${this.options.keyPrefix}events:{${batchId}}`;
  }
}
