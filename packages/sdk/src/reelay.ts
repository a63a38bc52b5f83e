/**
 * The SDK's entry point: `new Reelay({ apiUrl, token, transport })` and `uploadBatch(files, { channelId })`.
 * It runs the frontend document's flow ("Batch Upload for Frontend") with what the document leaves out:
 * parallel parts, byte-level progress, backoff, fresh URLs, offline waits, resume, abort, and processing.
 * Each file is completed as soon as its own chunks are stored; one file failing does not stop the others.
 */
import { type CompletedVideo, ReelayApi, type TokenSource, type UploadSession, type VideoDetails } from './api.js';
import { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
import { parseChunkRanges } from './chunk-ranges.js';
import { abortedError, ReelayError } from './errors.js';
import {
  BatchWatch,
  type EventSourceConstructor,
  ProcessingOutcomes,
  type ServerEvent,
  type WatchOptions,
} from './events.js';
import { Limiter } from './limiter.js';
import {
  type BatchProgress,
  type FileProgress,
  secondsLeft,
  SpeedMeter,
  summarize,
  type UploadEvent,
} from './progress.js';
import { fingerprint, MemoryResumeStore, type ResumeStore, type UploadSource } from './resume-store.js';
import { ALWAYS_ONLINE, type Connectivity, type Transport } from './transport.js';
import type { Sha256Hasher } from './sha256.js';
import { type FileSession, FileUpload } from './upload-file.js';

/**
 * Bytes moving are reported once they moved by PROGRESS_STEP of the batch since the last report, or else
 * at most every PROGRESS_INTERVAL_MS (a state change, a chunk stored or failed, is reported at once).
 */
export const PROGRESS_INTERVAL_MS = 50;
export const PROGRESS_STEP = 0.01;

export interface ReelayOptions {
  /** The API's origin, e.g. `https://upload.example.com`. */
  apiUrl: string;
  /** A bearer token, or a function answering a fresh one. */
  token: TokenSource;
  /** How chunks are sent: XhrTransport in browsers, NodeTransport in Node. */
  transport: Transport;
  /** Network state; always online by default. */
  connectivity?: Connectivity;
  /** Where sessions are kept for resume; in memory by default, none with `false`. */
  resume?: ResumeStore | false;
  /**
   * Opens the server's live events: the browser's EventSource, the `eventsource` package's in Node (each
   * createReelay sets its own). Without one the SDK polls.
   */
  eventSource?: EventSourceConstructor | null;
  fetch?: typeof fetch;
  /** Declare every file's SHA-256 (see UploadBatchOptions.sha256); off by default. */
  sha256?: boolean;
  /** How a file is hashed: node:crypto in Node, a Web Worker in browsers (createReelay sets it). */
  sha256Hasher?: Sha256Hasher;
}

export interface UploadBatchOptions {
  channelId: string;
  /**
   * Called with every file's progress and the batch's: at once when a state changes or a chunk is stored
   * or fails; while bytes go, each time they moved by 1 % of the batch, and otherwise at most every 50 ms.
   */
  onProgress?: (progress: BatchProgress) => void;
  onEvent?: (event: UploadEvent) => void;
  /**
   * Aborting stops every transfer. The uploads not yet completed are then aborted on the server (POST
   * /batch/abort), or with `keepOnAbort` kept for a later run to resume (a pause, a Ctrl-C).
   */
  signal?: AbortSignal;
  /** Asked when the signal fires: true keeps the uploads for a later run (pause), false aborts them. */
  keepOnAbort?: boolean | (() => boolean);
  /** Chunks of one file in flight at once (default 4). */
  perFileConcurrency?: number;
  /** Chunks in flight over the whole batch (default 8). */
  concurrency?: number;
  /** `presigned` (default): chunks go straight to storage; `chunk-route`: through the API. */
  via?: 'presigned' | 'chunk-route';
  retry?: Partial<RetryPolicy>;
  /**
   * Wait until each video is processed (`ready` or `failed`): told by the batch's live events when the
   * server has them, else polling every `pollMs` (default 2000).
   */
  waitForProcessing?: boolean;
  pollMs?: number;
  /**
   * Hash each file (SHA-256, streamed, beside the upload: in a Web Worker in browsers) and declare the hash
   * with complete, so that the worker fails the video with CHECKSUM_MISMATCH when the stored bytes differ.
   * The client's `sha256` option by default.
   */
  sha256?: boolean;
  /**
   * The server's live events of the batch as they come (progress as the server learns it, upload.completed,
   * processing.started, video.ready with the metadata, video.failed with the reason, batch.completed...).
   * Only for files this run sent init for: a resumed file's batch is not known.
   */
  onServerEvent?: (event: ServerEvent) => void;
  /** Use the live events (default true); false polls for processing. */
  events?: boolean;
}

export interface FileResult {
  name: string;
  /** Bytes. */
  size: number;
  /** Chunks storage already held when this run began (a resumed upload). */
  resumedChunks: number;
  /** `ready` or `failed` (processing) only when waiting for processing. */
  status: 'completed' | 'ready' | 'failed' | 'aborted' | 'paused';
  uploadId?: string;
  videoId?: string;
  video?: CompletedVideo | VideoDetails;
  /** The SHA-256 declared for the file (with `sha256`). */
  sha256?: string;
  /** Why the upload failed or was aborted; for `failed` processing see `video.failureReason`. */
  error?: ReelayError;
}

export interface BatchResult {
  files: FileResult[];
  /** True when every file completed (and, when waited for, was processed to `ready`). */
  ok: boolean;
}

export class Reelay {
  readonly api: ReelayApi;
  private readonly resume: ResumeStore | null;

  constructor(private readonly options: ReelayOptions) {
    this.api = new ReelayApi(options);
    this.resume = options.resume === false ? null : (options.resume ?? new MemoryResumeStore());
  }

  /**
   * Uploads the files as one batch (at most the API's UPLOAD_MAX_FILES). Never throws for one file's
   * failure: each file's result says what happened. Throws ReelayError when init itself is refused
   * (VALIDATION_FAILED, CHANNEL_FORBIDDEN, TOO_MANY_OPEN_UPLOADS, RATE_LIMITED, UNAUTHORIZED) or aborted.
   */
  async uploadBatch(files: UploadSource[], options: UploadBatchOptions): Promise<BatchResult> {
    const controller = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, controller.signal]) : controller.signal;
    const meters = files.map(() => new SpeedMeter());
    const batchMeter = new SpeedMeter();
    const uploads: Array<FileUpload | null> = files.map(() => null);
    const batchSize = files.reduce((sum, f) => sum + f.size, 0);
    let lastReport = 0;
    let reportedBytes = 0;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const report = () => {
      if (!options.onProgress) return;
      clearTimeout(pending);
      pending = undefined;
      lastReport = Date.now();
      const progress = uploads.map((u, i) => u?.progress ?? queued(files[i], i));
      for (const [i, p] of progress.entries()) {
        p.bytesPerSecond = meters[i].update(p.bytesSent);
        p.secondsLeft = secondsLeft(p.size - p.bytesSent, p.bytesPerSecond);
      }
      const batch = summarize(progress);
      reportedBytes = batch.bytesSent;
      const bytesPerSecond = batchMeter.update(batch.bytesSent);
      options.onProgress({
        ...batch,
        bytesPerSecond,
        secondsLeft: secondsLeft(batch.size - batch.bytesSent, bytesPerSecond),
      });
    };
    // Bytes move with every piece read from a file (a megabyte in Node): a report for each made a large
    // share of the SDK's CPU in the bench, for more updates than any display shows.
    const moved = () => {
      if (!options.onProgress) return;
      const bytes = uploads.reduce((sum, u) => sum + (u?.progress.bytesSent ?? 0), 0);
      const wait = lastReport + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0 || bytes - reportedBytes >= batchSize * PROGRESS_STEP) report();
      else pending ??= setTimeout(report, wait);
    };
    const emit = (event: UploadEvent) => options.onEvent?.(event);
    // Hashing starts now and runs beside init and the parts; only complete waits for it.
    const hashes = files.map((file) => this.hashOf(file, options, signal));
    const sessions = await this.sessionsFor(files, options.channelId, signal, emit);
    const outcomes = this.watchEvents(sessions, options, signal);
    const ctx = {
      api: this.api,
      transport: this.options.transport,
      connectivity: this.options.connectivity ?? ALWAYS_ONLINE,
      retry: { ...DEFAULT_RETRY, ...options.retry },
      batchLimiter: new Limiter(options.concurrency ?? 8),
      perFileConcurrency: options.perFileConcurrency ?? 4,
      via: options.via ?? 'presigned',
      signal,
      emit,
      changed: report,
      moved,
      outcomes: outcomes?.outcomes,
    };
    files.forEach((file, i) => (uploads[i] = new FileUpload(ctx, file, sessions[i], i, hashes[i])));
    report();
    const results = await Promise.all(
      uploads.map((upload, i) => this.runOne(upload!, files[i], options, signal, emit, hashes[i])),
    ).finally(() => {
      clearTimeout(pending);
      outcomes?.close();
    });
    await this.forgetCompleted(files, options.channelId, results);
    return {
      files: results,
      ok: results.every((r) => r.status === (options.waitForProcessing ? 'ready' : 'completed')),
    };
  }

  /**
   * Follows a batch's live events (see BatchWatch): `options.onEvent` gets each one, from the batch's
   * first (or after `options.lastEventId`). Close the watch when done.
   */
  watchBatch(batchId: string, options: WatchOptions): BatchWatch {
    return new BatchWatch(this.api, this.options.eventSource ?? null, batchId, options);
  }

  /** One watch per batch this run made, when processing is awaited or events are asked for. */
  private watchEvents(
    sessions: FileSession[],
    options: UploadBatchOptions,
    signal: AbortSignal,
  ): { outcomes: ProcessingOutcomes; close: () => void } | null {
    if (options.events === false || !(options.waitForProcessing || options.onServerEvent)) return null;
    const batchIds = [...new Set(sessions.map((s) => s.batchId).filter((id) => id !== undefined))];
    const outcomes = new ProcessingOutcomes();
    const onEvent = (event: ServerEvent) => {
      outcomes.take(event);
      options.onServerEvent?.(event);
    };
    const watches = batchIds.map((batchId) => this.watchBatch(batchId, { onEvent }));
    outcomes.follow(watches);
    const close = () => watches.forEach((w) => w.close());
    signal.addEventListener('abort', close, { once: true });
    return { outcomes, close };
  }

  private async runOne(
    upload: FileUpload,
    file: UploadSource,
    options: UploadBatchOptions,
    signal: AbortSignal,
    emit: (event: UploadEvent) => void,
    hash?: Promise<string>,
  ): Promise<FileResult> {
    const { index, uploadId } = upload.progress;
    const key = fingerprint(file, options.channelId);
    const base = { name: file.name, size: file.size, uploadId, resumedChunks: upload.progress.resumedChunks };
    try {
      const video = await upload.upload();
      // Complete waited for it: it is known by now.
      const done = { ...base, sha256: hash && (await hash), videoId: video.videoId };
      upload.progress.videoId = video.videoId;
      upload.setState('completed');
      emit({ type: 'completed', file: index, videoId: video.videoId });
      if (!options.waitForProcessing) return { ...done, status: 'completed', video };
      const processed = await upload.waitForProcessing(video.videoId, options.pollMs ?? 2_000);
      upload.progress.video = processed;
      upload.setState(processed.status === 'ready' ? 'ready' : 'failed');
      emit({ type: 'processed', file: index, video: processed });
      return { ...done, status: processed.status as 'ready' | 'failed', video: processed };
    } catch (caught) {
      if (signal.aborted) {
        upload.progress.error = abortedError();
        const keep = typeof options.keepOnAbort === 'function' ? options.keepOnAbort() : options.keepOnAbort;
        if (keep) {
          upload.progress.error = new ReelayError(
            'ABORTED',
            'stopped before the end; the upload is kept: run again to resume',
          );
          upload.setState('paused');
          return { ...base, status: 'paused', error: upload.progress.error };
        }
        await this.abortQuietly(uploadId!, key);
        upload.setState('aborted');
        return { ...base, status: 'aborted', error: upload.progress.error };
      }
      const error = caught instanceof ReelayError ? caught : new ReelayError('INTERNAL_ERROR', String(caught));
      // A session that can no longer be completed is forgotten; any other is kept for the next run.
      if (['UPLOAD_EXPIRED', 'UPLOAD_ABORTED', 'UPLOAD_NOT_FOUND'].includes(error.code)) await this.resume?.delete(key);
      upload.progress.error = error;
      upload.setState('failed');
      emit({ type: 'failed', file: index, error });
      return { ...base, status: 'failed', error };
    }
  }

  /** A resumable session for each file that has one; one init for all the others. */
  private async sessionsFor(
    files: UploadSource[],
    channelId: string,
    signal: AbortSignal,
    emit: (event: UploadEvent) => void,
  ): Promise<FileSession[]> {
    const sessions: Array<FileSession | null> = await Promise.all(
      files.map(async (file, i) => {
        const session = await this.resumable(file, channelId, signal);
        if (session) emit({ type: 'resumed', file: i, uploadId: session.uploadId, storedChunks: session.stored.size });
        return session;
      }),
    );
    const fresh = files.filter((_, i) => !sessions[i]);
    if (fresh.length === 0) return sessions as FileSession[];
    const created = await this.api.init(
      channelId,
      fresh.map((f) => ({ filename: f.name, size: f.size, type: f.type })),
      signal,
    );
    let next = 0;
    return Promise.all(
      files.map(async (file, i) => {
        if (sessions[i]) return sessions[i];
        const s = created[next++];
        await this.resume?.set(fingerprint(file, channelId), {
          uploadId: s.uploadId,
          chunkSize: s.chunkSize,
          totalChunks: s.totalChunks,
          contentType: s.contentType,
          urlsExpireAt: s.expiresAt,
        });
        return fromInit(s);
      }),
    );
  }

  /** The kept session of a file, with the chunks storage holds; null when there is none to resume. */
  private async resumable(file: UploadSource, channelId: string, signal: AbortSignal): Promise<FileSession | null> {
    const key = fingerprint(file, channelId);
    const kept = await this.resume?.get(key);
    if (!kept) return null;
    try {
      const progress = await this.api.progress(kept.uploadId, signal, true);
      if (progress.status === 'aborted') throw new ReelayError('UPLOAD_ABORTED', 'aborted');
      return {
        uploadId: kept.uploadId,
        chunkSize: kept.chunkSize,
        totalChunks: kept.totalChunks,
        urls: new Map(),
        urlsExpireAt: 0,
        urlsLifetimeMs: 0,
        stored: parseChunkRanges(progress.storedChunks),
      };
    } catch (error) {
      if (!(error instanceof ReelayError) || error.transient) throw error;
      await this.resume?.delete(key); // expired, aborted or unknown: start over
      return null;
    }
  }

  /** The file's SHA-256 being computed, when asked for; a failure is HASH_FAILED (thrown at complete). */
  private hashOf(file: UploadSource, options: UploadBatchOptions, signal: AbortSignal): Promise<string> | undefined {
    if (!(options.sha256 ?? this.options.sha256)) return undefined;
    const hasher = this.options.sha256Hasher;
    const hashing = hasher
      ? hasher(file, signal).catch((error: unknown) => {
          if (signal.aborted) throw error;
          throw new ReelayError('HASH_FAILED', `${file.name} could not be hashed: ${String(error)}`, 0, null, {
            cause: error,
          });
        })
      : Promise.reject(new ReelayError('HASH_FAILED', 'sha256 was asked for, but this client has no sha256Hasher'));
    // Awaited at complete; a file that fails before then must not leave a rejection unhandled.
    hashing.catch(() => undefined);
    return hashing;
  }

  /**
   * Forgets the sessions of the files this run completed, unless a file of the run is still kept for a
   * later run (paused, or failed with its session kept): a rerun of the same files then finds the
   * completed ones completed (complete answers the same video) instead of uploading them as new videos.
   */
  private async forgetCompleted(files: UploadSource[], channelId: string, results: FileResult[]): Promise<void> {
    if (!this.resume) return;
    const keys = files.map((file) => fingerprint(file, channelId));
    const completed = results.map((r) => r.videoId !== undefined);
    const kept = await Promise.all(keys.map(async (key, i) => !completed[i] && (await this.resume!.get(key)) !== null));
    if (kept.some(Boolean)) return;
    await Promise.all(keys.filter((_, i) => completed[i]).map((key) => this.resume!.delete(key)));
  }

  private async abortQuietly(uploadId: string, key: string): Promise<void> {
    await this.api.abort(uploadId).catch(() => undefined);
    await this.resume?.delete(key);
  }
}

function fromInit(s: UploadSession): FileSession {
  return {
    uploadId: s.uploadId,
    chunkSize: s.chunkSize,
    totalChunks: s.totalChunks,
    urls: new Map(s.presignedUrls.map((url, i) => [i, url])),
    urlsExpireAt: Date.parse(s.expiresAt),
    urlsLifetimeMs: Date.parse(s.expiresAt) - Date.now(),
    stored: new Set(),
    batchId: s.batchId,
  };
}

function queued(file: UploadSource, index: number): FileProgress {
  return {
    index,
    name: file.name,
    size: file.size,
    state: 'queued',
    bytesSent: 0,
    percent: 0,
    bytesPerSecond: 0,
    secondsLeft: null,
    chunkFailures: 0,
    resumedChunks: 0,
  };
}
