/**
 * Each batch's events, in order, readable from any point: what the SSE routes replay and follow, on any
 * API instance, whichever API or worker made the event. A port, so that the use cases can be tested
 * without Redis; RedisBatchEventLog is the one the apps use.
 */
import type { BatchEvent, LoggedBatchEvent } from './batch-event.js';

/** A log entry id: milliseconds, a dash, a sequence number (a Redis Stream id). */
export const EVENT_ID = /^\d{1,15}-\d{1,10}$/;

export abstract class BatchEventLog {
  /** Appends the event to its batch's log; answers its id. */
  abstract append(event: BatchEvent): Promise<string>;

  /** Up to `count` events of the batch after `afterId` (every one from the start when null), oldest first. */
  abstract read(batchId: string, afterId: string | null, count: number): Promise<LoggedBatchEvent[]>;

  /** True the first time it is called for `key` (within `ttlSeconds`), false after: an event made once. */
  abstract once(key: string, ttlSeconds: number): Promise<boolean>;
}

/** Milliseconds of a log entry id, as an ISO time. */
export function eventTime(id: string): string {
  return new Date(Number(id.slice(0, id.indexOf('-')))).toISOString();
}
