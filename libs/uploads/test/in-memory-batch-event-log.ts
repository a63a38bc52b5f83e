/** BatchEventLog in memory, for the use cases' unit tests; ids count up as Redis Stream ids do. */
import type { BatchEvent, LoggedBatchEvent } from '../src/events/batch-event.js';
import { BatchEventLog, eventTime } from '../src/events/batch-event-log.js';

export class InMemoryBatchEventLog extends BatchEventLog {
  private readonly logs = new Map<string, LoggedBatchEvent[]>();
  private readonly seen = new Set<string>();
  private sequence = 0;

  append(event: BatchEvent): Promise<string> {
    const id = `${Date.now()}-${this.sequence++}`;
    const log = this.logs.get(event.batchId) ?? [];
    log.push({ id, at: eventTime(id), event });
    this.logs.set(event.batchId, log);
    return Promise.resolve(id);
  }

  read(batchId: string, afterId: string | null, count: number): Promise<LoggedBatchEvent[]> {
    const log = this.logs.get(batchId) ?? [];
    const start = afterId === null ? 0 : log.findIndex((e) => e.id === afterId) + 1;
    return Promise.resolve(log.slice(start, start + count));
  }

  once(key: string): Promise<boolean> {
    if (this.seen.has(key)) return Promise.resolve(false);
    this.seen.add(key);
    return Promise.resolve(true);
  }

  /** Every event of the batch, oldest first. */
  events(batchId: string): BatchEvent[] {
    return (this.logs.get(batchId) ?? []).map((e) => e.event);
  }
}
