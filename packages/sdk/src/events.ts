/**
 * The server's live events of a batch (Server-Sent Events), followed with an EventSource: the browser's
 * own, or in Node the `eventsource` package's. EventSource sends no headers, so each connection opens
 * with a short-lived token minted for the batch (POST /batch/:batchId/events/token). When the stream
 * drops, EventSource reconnects by itself with Last-Event-ID; when it gives up (the token expired, the
 * server answered an error) a fresh token opens a new one from the last event seen (`?lastEventId=`), so
 * that no event is lost. Without an EventSource, or when the server has no events, `ready` says false and
 * callers poll instead.
 */
import type { ReelayApi } from './api.js';
import { ReelayError } from './errors.js';

/** Every event type the server sends (libs/uploads BATCH_EVENT_TYPES; the SDK depends on no server code). */
export const SERVER_EVENT_TYPES = [
  'progress',
  'chunk.failed',
  'upload.completed',
  'upload.aborted',
  'processing.started',
  'video.ready',
  'video.failed',
  'batch.completed',
] as const;
export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

/**
 * One event of the batch: `id` (its place in the batch's log), `type`, `batchId`, `at` (ISO time), and the
 * fields of its type: `uploadId` for every type but batch.completed; `progress`, `completedCount`,
 * `totalChunks`, `bytesStored`, `failedChunks` (progress); `chunks`, `reason` (chunk.failed); `videoId`
 * (upload.completed and after); `metadata`, `thumbnailUrl` (video.ready); `reason` (video.failed);
 * `uploads` (batch.completed). The README's "Live events" lists them.
 */
export interface ServerEvent {
  id: string;
  type: ServerEventType;
  batchId: string;
  at: string;
  uploadId?: string;
  videoId?: string;
  [field: string]: unknown;
}

/** What the SDK uses of an EventSource (the DOM's, or the `eventsource` package's). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  addEventListener(type: string, listener: (message: { data: string; lastEventId: string }) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** EventSource.CLOSED: it will not reconnect by itself. */
const CLOSED = 2;
/** Connections that fail before any opens, in a row, before the events count as unavailable. */
const MAX_FAILED_OPENS = 3;
const REOPEN_DELAY_MS = 1_000;

export interface WatchOptions {
  onEvent: (event: ServerEvent) => void;
  /** Start after this event (one seen in an earlier watch); from the batch's first event otherwise. */
  lastEventId?: string;
}

export class BatchWatch {
  /** Resolves true once the stream is open, false when events are unavailable (callers then poll). */
  readonly ready: Promise<boolean>;
  /** Resolves when the watch stopped for good: closed, or unavailable. */
  readonly ended: Promise<void>;
  lastEventId: string | undefined;
  private source: EventSourceLike | null = null;
  private closed = false;
  private failedOpens = 0;
  private settleReady!: (ready: boolean) => void;
  private settleEnded!: () => void;

  constructor(
    private readonly api: ReelayApi,
    private readonly EventSource: EventSourceConstructor | null,
    readonly batchId: string,
    private readonly options: WatchOptions,
  ) {
    this.lastEventId = options.lastEventId;
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    this.ended = new Promise((resolve) => (this.settleEnded = resolve));
    if (!EventSource) this.stop(false);
    else void this.open();
  }

  /** False once closed or given up: no more events come. */
  get active(): boolean {
    return !this.closed;
  }

  close(): void {
    this.stop(true);
  }

  private stop(opened: boolean): void {
    this.closed = true;
    this.source?.close();
    this.source = null;
    this.settleReady(opened);
    this.settleEnded();
  }

  private async open(): Promise<void> {
    let token: string;
    try {
      token = (await this.api.eventsToken(this.batchId)).token;
    } catch (error) {
      // A server without events (404 NOT_FOUND), or a batch it does not know: poll instead.
      if (error instanceof ReelayError && !error.transient) return this.stop(false);
      return this.failed();
    }
    if (this.closed) return;
    const source = new this.EventSource!(this.api.eventsUrl(this.batchId, token, this.lastEventId));
    this.source = source;
    source.onopen = () => {
      this.failedOpens = 0;
      this.settleReady(true);
    };
    source.onerror = () => {
      // Still CONNECTING: EventSource reconnects by itself, with Last-Event-ID.
      if (source.readyState !== CLOSED || this.source !== source) return;
      source.close();
      void this.failed();
    };
    for (const type of SERVER_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        this.lastEventId = message.lastEventId || this.lastEventId;
        const data = JSON.parse(message.data) as Record<string, unknown>;
        this.options.onEvent({ ...data, id: message.lastEventId } as ServerEvent);
      });
    }
  }

  /** A connection that failed: a new one with a fresh token, unless too many failed in a row. */
  private async failed(): Promise<void> {
    if (this.closed) return;
    if (++this.failedOpens >= MAX_FAILED_OPENS) return this.stop(false);
    await new Promise((resolve) => setTimeout(resolve, REOPEN_DELAY_MS * this.failedOpens));
    if (!this.closed) await this.open();
  }
}

/**
 * The end of each video's processing, as the batches' events tell it: `outcome(videoId)` resolves with
 * video.ready or video.failed, or with null when the events are unavailable or stopped (poll then).
 */
export class ProcessingOutcomes {
  private readonly outcomes = new Map<string, ServerEvent>();
  private readonly waiters = new Map<string, Array<(event: ServerEvent | null) => void>>();
  private watches: readonly BatchWatch[] = [];

  /** The watches whose events are taken: when one stops, whoever waits polls instead. */
  follow(watches: readonly BatchWatch[]): void {
    this.watches = watches;
    for (const watch of watches) void watch.ended.then(() => this.release());
  }

  /** Feed every event here. */
  take(event: ServerEvent): void {
    if ((event.type !== 'video.ready' && event.type !== 'video.failed') || !event.videoId) return;
    this.outcomes.set(event.videoId, event);
    for (const waiter of this.waiters.get(event.videoId) ?? []) waiter(event);
    this.waiters.delete(event.videoId);
  }

  async outcome(videoId: string, batchId: string | undefined): Promise<ServerEvent | null> {
    const watch = this.watches.find((w) => w.batchId === batchId);
    if (!watch || !(await watch.ready) || !watch.active) return null;
    const known = this.outcomes.get(videoId);
    if (known) return known;
    return new Promise((resolve) => this.waiters.set(videoId, [...(this.waiters.get(videoId) ?? []), resolve]));
  }

  /** A watch stopped: whoever waits polls instead. */
  private release(): void {
    for (const waiters of this.waiters.values()) for (const waiter of waiters) waiter(null);
    this.waiters.clear();
  }
}
