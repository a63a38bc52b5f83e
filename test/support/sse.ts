/**
 * A Server-Sent Events reader for the tests, on undici: it keeps every event (id, type, parsed data) and
 * counts the comment lines (heartbeats), so that a test can wait for an event and compare whole lists.
 */
import { request } from 'undici';

export interface SseEvent {
  id: string;
  event: string;
  data: Record<string, unknown> & { type: string; at: string };
}

export class SseReader {
  readonly events: SseEvent[] = [];
  comments = 0;
  ended = false;
  private readonly controller = new AbortController();
  private readonly waiters = new Set<() => void>();

  private constructor() {}

  /** Opens the stream; answers the status and, for anything but 200, the body (the error envelope). */
  static async open(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; reader?: SseReader; body?: unknown; headers: Record<string, unknown> }> {
    const reader = new SseReader();
    const res = await request(url, { headers, signal: reader.controller.signal });
    if (res.statusCode !== 200) return { status: res.statusCode, body: await res.body.json(), headers: res.headers };
    void reader.consume(res.body);
    return { status: 200, reader, headers: res.headers };
  }

  private async consume(body: AsyncIterable<Buffer | string>): Promise<void> {
    let buffer = '';
    try {
      for await (const piece of body) {
        buffer += piece.toString();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          this.parse(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // closed by close(), or by the server going away
    }
    this.ended = true;
    this.wake();
  }

  private parse(block: string): void {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments++;
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trimStart());
    }
    if (fields.has('data'))
      this.events.push({
        id: fields.get('id')!,
        event: fields.get('event')!,
        data: JSON.parse(fields.get('data')!) as SseEvent['data'],
      });
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** The first event (kept or to come) that passes `check`; fails after `timeoutMs`. */
  async waitFor(check: (e: SseEvent) => boolean, what: string, timeoutMs = 20_000): Promise<SseEvent> {
    return this.until(() => this.events.find(check), `${what} (seen: ${this.summary()})`, timeoutMs);
  }

  /** Resolves once the stream ended (the server closed it); fails after `timeoutMs`. */
  async waitForEnd(timeoutMs = 10_000): Promise<void> {
    await this.until(() => (this.ended ? true : undefined), 'the end of the stream', timeoutMs);
  }

  private until<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  summary(): string {
    return this.events
      .map((e) => `${e.event}${typeof e.data.uploadId === 'string' ? `(${e.data.uploadId.slice(0, 4)})` : ''}`)
      .join(' ');
  }

  close(): void {
    this.controller.abort();
  }
}
