/**
 * One file's upload after init (or resume): its missing chunks sent in parallel, each retried with
 * backoff, fresh URLs asked for when storage refuses one (expired) in one /retry call for all chunks
 * that need one, then complete; chunks complete reports missing are sent again.
 */
import { type ReelayApi, readEnvelope, type VideoDetails, type CompletedVideo } from './api.js';
import { backoffDelay, type RetryPolicy, sleep } from './backoff.js';
import { ReelayError } from './errors.js';
import type { ProcessingOutcomes } from './events.js';
import { Limiter } from './limiter.js';
import type { FileProgress, FileState, UploadEvent } from './progress.js';
import type { UploadSource } from './resume-store.js';
import type { Connectivity, SendResult, Transport } from './transport.js';

export interface FileSession {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  /** Part URLs known so far, by 0-based chunk index. */
  urls: Map<number, string>;
  /** Milliseconds since the epoch; the known URLs are dropped a little before. */
  urlsExpireAt: number;
  /** How long the URLs lived when they were given (milliseconds); sets how early they are renewed. */
  urlsLifetimeMs: number;
  /** Chunks already stored (a resumed upload). */
  stored: Set<number>;
  /** The batch of the session when this run made it (init); a resumed one's is not known. */
  batchId?: string;
}

export interface FileUploadContext {
  api: ReelayApi;
  transport: Transport;
  connectivity: Connectivity;
  retry: RetryPolicy;
  /** Bounds the chunks in flight over the whole batch. */
  batchLimiter: Limiter;
  /** Chunks of one file in flight at once. */
  perFileConcurrency: number;
  /** `presigned`: PUT to storage; `chunk-route`: POST through the API. */
  via: 'presigned' | 'chunk-route';
  signal: AbortSignal;
  emit(event: UploadEvent): void;
  /** A state or a chunk's outcome changed: reported at once. */
  changed(): void;
  /** Bytes of a chunk in flight moved: reported at most every PROGRESS_INTERVAL_MS. */
  moved(): void;
  /** The end of processing as the server's events tell it; absent: poll. */
  outcomes?: ProcessingOutcomes;
}

/**
 * URLs are renewed this long before they expire, so that none dies on its way (milliseconds): 30 s,
 * or a quarter of their lifetime when they live shorter than two minutes.
 */
const URL_MARGIN_MS = 30_000;
/** Completion rounds (complete, send the missing chunks again) before the file fails. */
const COMPLETE_ROUNDS = 4;

export class FileUpload {
  readonly progress: FileProgress;
  private readonly inFlight = new Map<number, number>();
  private refreshing?: Promise<void>;
  private readonly wanted = new Set<number>();

  constructor(
    private readonly ctx: FileUploadContext,
    private readonly source: UploadSource,
    private readonly session: FileSession,
    index: number,
    /** The file's SHA-256 being computed beside the upload, sent with complete (`sha256: true`). */
    private readonly sha256?: Promise<string>,
  ) {
    this.progress = {
      index,
      name: source.name,
      size: source.size,
      state: 'queued',
      uploadId: session.uploadId,
      bytesSent: 0,
      percent: 0,
      bytesPerSecond: 0,
      secondsLeft: null,
      chunkFailures: 0,
      resumedChunks: session.stored.size,
    };
    this.account();
  }

  /** Sends every missing chunk and completes the upload; answers the video. Throws ReelayError. */
  async upload(): Promise<CompletedVideo> {
    for (let round = 0; ; round++) {
      await this.sendMissing();
      this.setState('completing');
      try {
        return await this.ctx.api.complete(this.session.uploadId, this.ctx.signal, await this.sha256);
      } catch (error) {
        if (!(error instanceof ReelayError) || round + 1 >= COMPLETE_ROUNDS) throw error;
        if (error.code === 'MISSING_PARTS') {
          const missing = (error.details?.missingChunks as number[] | undefined) ?? [];
          for (const i of missing) this.session.stored.delete(i);
          this.account();
        } else if (!error.transient) {
          throw error;
        } else {
          await sleep(backoffDelay(round, this.ctx.retry), this.ctx.signal);
        }
      }
    }
  }

  /** Waits for processing to end (the server's events, or polling every `pollMs`); answers the video, `ready` or `failed`. */
  async waitForProcessing(videoId: string, pollMs: number): Promise<VideoDetails> {
    this.setState('processing');
    // With the batch's events, the one read below comes once the server said processing ended; without
    // them (none, or they stopped), it polls.
    await this.ctx.outcomes?.outcome(videoId, this.session.batchId);
    for (let failures = 0; ;) {
      try {
        const video = await this.ctx.api.video(videoId, this.ctx.signal);
        if (video.status === 'ready' || video.status === 'failed') return video;
        failures = 0;
      } catch (error) {
        if (!(error instanceof ReelayError) || !error.transient || ++failures >= this.ctx.retry.attempts) throw error;
      }
      await sleep(pollMs, this.ctx.signal);
    }
  }

  setState(state: FileState): void {
    this.progress.state = state;
    this.ctx.changed();
  }

  private async sendMissing(): Promise<void> {
    const missing = Array.from({ length: this.session.totalChunks }, (_, i) => i).filter(
      (i) => !this.session.stored.has(i),
    );
    if (missing.length === 0) return;
    this.setState('uploading');
    const fileLimiter = new Limiter(this.ctx.perFileConcurrency);
    await Promise.all(missing.map((i) => fileLimiter.run(() => this.ctx.batchLimiter.run(() => this.sendChunk(i)))));
  }

  /** One chunk, retried until stored or out of attempts. */
  private async sendChunk(chunkIndex: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.ctx.signal.throwIfAborted();
      if (!this.ctx.connectivity.online()) {
        this.setState('offline');
        await this.ctx.connectivity.whenOnline(this.ctx.signal);
        this.setState('uploading');
      }
      const error = await this.trySend(chunkIndex);
      if (!error) {
        if (attempt > 0)
          this.ctx.emit({ type: 'chunk-retried', file: this.progress.index, chunkIndex, attempts: attempt + 1 });
        return;
      }
      const willRetry = attempt + 1 < this.ctx.retry.attempts;
      this.progress.chunkFailures++;
      this.ctx.emit({ type: 'chunk-failed', file: this.progress.index, chunkIndex, error, willRetry });
      if (!willRetry) throw error;
      this.setState('retrying');
      // Offline: the network's return, not the backoff, says when to try again.
      if (this.ctx.connectivity.online()) await sleep(backoffDelay(attempt, this.ctx.retry), this.ctx.signal);
    }
  }

  /** Null when the chunk is stored; the error otherwise (thrown at once when it is final). */
  private async trySend(chunkIndex: number): Promise<ReelayError | null> {
    const { chunkSize, uploadId } = this.session;
    const start = chunkIndex * chunkSize;
    const body = this.source.slice(start, Math.min(this.source.size, start + chunkSize));
    let request: { url: string; method: 'PUT' | 'POST'; headers?: Record<string, string> } | null;
    try {
      request =
        this.ctx.via === 'presigned'
          ? await this.presignedRequest(chunkIndex)
          : {
              url: this.ctx.api.chunkUrl(uploadId, chunkIndex),
              method: 'POST',
              headers: {
                authorization: await this.ctx.api.authorization(),
                'content-type': 'application/octet-stream',
              },
            };
    } catch (error) {
      // Fresh URLs could not be had right now (no answer, a 5xx, a rate limit): try again later.
      if (error instanceof ReelayError && error.transient) return error;
      throw error;
    }
    if (!request) return null; // storage already holds it
    let result: SendResult;
    try {
      result = await this.ctx.transport.send({
        ...request,
        body,
        signal: this.ctx.signal,
        onProgress: (sent) => this.sending(chunkIndex, sent),
      });
    } catch (error) {
      this.sending(chunkIndex, 0);
      this.ctx.signal.throwIfAborted();
      return new ReelayError('NETWORK_ERROR', `chunk ${chunkIndex}: no answer (${(error as Error).message})`, 0);
    }
    this.inFlight.delete(chunkIndex);
    if (result.status >= 200 && result.status < 300) {
      this.session.stored.add(chunkIndex);
      this.account();
      return null;
    }
    this.account();
    if (this.ctx.via === 'presigned') return this.storageRefusal(chunkIndex, result);
    const error = this.routeRefusal(result);
    // Completed meanwhile (another tab, an earlier run): complete answers its video.
    if (error.code === 'UPLOAD_COMPLETED') {
      this.session.stored.add(chunkIndex);
      this.account();
      return null;
    }
    if (!error.transient) throw error;
    return error;
  }

  private async presignedRequest(chunkIndex: number): Promise<{ url: string; method: 'PUT' } | null> {
    const margin = Math.min(URL_MARGIN_MS, this.session.urlsLifetimeMs / 4);
    if (Date.now() > this.session.urlsExpireAt - margin) this.session.urls.clear();
    // A refresh already on its way may not carry this chunk (it asked before the chunk wanted a URL):
    // the next one does.
    for (let round = 0; round < 3; round++) {
      if (this.session.stored.has(chunkIndex)) return null;
      const url = this.session.urls.get(chunkIndex);
      if (url) return { url, method: 'PUT' };
      await this.refreshUrls(chunkIndex);
    }
    throw new ReelayError('PART_REFUSED', `no URL could be had for chunk ${chunkIndex}`);
  }

  /**
   * Asks /retry for fresh URLs of every chunk that wants one now: calls made together share one
   * request. A chunk the answer leaves out is already stored.
   */
  private refreshUrls(chunkIndex: number): Promise<void> {
    this.wanted.add(chunkIndex);
    this.refreshing ??= (async () => {
      await Promise.resolve(); // let the other chunks of this turn join
      const chunks = [...this.wanted].sort((a, b) => a - b);
      this.wanted.clear();
      try {
        const urls = await this.ctx.api.retry(this.session.uploadId, chunks, this.ctx.signal);
        const given = new Set(urls.map((u) => u.chunkIndex));
        for (const u of urls) this.session.urls.set(u.chunkIndex, u.url);
        if (urls.length > 0) {
          this.session.urlsExpireAt = Date.parse(urls[0].expiresAt);
          this.session.urlsLifetimeMs = this.session.urlsExpireAt - Date.now();
        }
        for (const i of chunks) if (!given.has(i)) this.session.stored.add(i);
        this.account();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Storage's answer to a part PUT: 403 is an expired or refused URL (a fresh one is asked for). */
  private storageRefusal(chunkIndex: number, result: SendResult): ReelayError {
    if (result.status === 403) this.session.urls.delete(chunkIndex);
    const code = result.status >= 500 ? 'STORAGE_FAILED' : 'PART_REFUSED';
    const error = new ReelayError(code, `storage answered ${result.status} to chunk ${chunkIndex}`, result.status);
    // 404: the multipart upload is gone (completed or aborted): sending again cannot help.
    if (result.status === 404) throw error;
    return error;
  }

  /** The chunk route's error envelope as a ReelayError. */
  private routeRefusal(result: SendResult): ReelayError {
    try {
      readEnvelope(result.status, result.body, 'chunk');
    } catch (error) {
      if (error instanceof ReelayError) return error;
      throw error;
    }
    return new ReelayError('INTERNAL_ERROR', `chunk route answered ${result.status}`, result.status);
  }

  private sending(chunkIndex: number, bytes: number): void {
    if (bytes > 0) this.inFlight.set(chunkIndex, bytes);
    else this.inFlight.delete(chunkIndex);
    this.account(bytes > 0);
  }

  /** Recomputes bytes sent from the stored chunks and those in flight. */
  private account(moving = false): void {
    const { chunkSize, stored } = this.session;
    let bytes = 0;
    for (const i of stored) bytes += Math.min(chunkSize, this.source.size - i * chunkSize);
    for (const [i, sent] of this.inFlight) if (!stored.has(i)) bytes += sent;
    this.progress.bytesSent = bytes;
    this.progress.percent = this.source.size === 0 ? 100 : (bytes * 100) / this.source.size;
    if (moving) this.ctx.moved();
    else this.ctx.changed();
  }
}
