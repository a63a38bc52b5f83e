/**
 * The use cases wired by hand for their unit tests: in-memory storage, progress and processing queue,
 * and the real repository on a PostgreSQL database cloned from the run's migrated template (the
 * repository's locks and transactions are PostgreSQL's to prove, not a fake's).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { InMemoryProgressStore } from '../../progress/test/in-memory-progress.store.js';
import { InMemoryObjectStorage } from '../../storage/test/in-memory.object-storage.js';
import { adminUrl, databaseUrl, templateDatabase } from '../../../test/support/global-setup.js';
import { UploadSessionRepository, videosDataSourceOptions } from '#videos';
import { BatchCompletion } from '../src/events/batch-completion.js';
import type { BatchEvent, WebhookEventType } from '../src/events/batch-event.js';
import { BatchNotifier } from '../src/events/batch-notifier.js';
import type { EventSettings } from '../src/events/event-settings.js';
import { WebhookDispatch } from '../src/webhooks/webhook-dispatch.js';
import { PartUrls } from '../src/part-urls.js';
import { ProgressSync } from '../src/progress-sync.js';
import { UploadSessions } from '../src/upload-sessions.js';
import type { UploadSettings } from '../src/upload-settings.js';
import { AbortOrphanUploads } from '../src/use-cases/abort-orphan-uploads.use-case.js';
import { AbortUpload } from '../src/use-cases/abort-upload.use-case.js';
import { CompleteBatch } from '../src/use-cases/complete-batch.use-case.js';
import { CompleteUpload } from '../src/use-cases/complete-upload.use-case.js';
import { ExpireUploads } from '../src/use-cases/expire-uploads.use-case.js';
import { InitBatch } from '../src/use-cases/init-batch.use-case.js';
import { ReadBatch } from '../src/use-cases/read-batch.use-case.js';
import { ReadProgress } from '../src/use-cases/read-progress.use-case.js';
import { ReceiveChunk } from '../src/use-cases/receive-chunk.use-case.js';
import { RequeueUnprocessedVideos } from '../src/use-cases/requeue-unprocessed-videos.use-case.js';
import { RetryFailedChunks } from '../src/use-cases/retry-failed-chunks.use-case.js';
import { VideoProcessingQueue } from '../src/video-processing.queue.js';
import { WatchBatch } from '../src/use-cases/watch-batch.use-case.js';
import type { Uploader } from '../src/uploader.js';
import { InMemoryBatchEventLog } from './in-memory-batch-event-log.js';

export const MiB = 1024 * 1024;

/** Small thresholds, as in the end-to-end tests: files up to 6 MiB go whole, parts of 5 MiB. */
export const SETTINGS: UploadSettings = {
  singleUploadMax: 6 * MiB,
  partSize: 5 * MiB,
  maxFileSize: 1024 * MiB,
  maxFiles: 5,
  maxChunkSize: 64 * MiB,
  urlTtlSeconds: 3600,
  sessionTtlSeconds: 86_400,
  progressSyncIntervalMs: 0,
  progressSyncConcurrency: 4,
  maxOpenSessionsPerUser: 100,
  orphanGraceSeconds: 900,
};

export const EVENT_SETTINGS: EventSettings = {
  keyPrefix: 'unit:',
  tokenTtlSeconds: 300,
  heartbeatMs: 15_000,
  pollIntervalMs: 20,
  retentionSeconds: 3600,
  maxPerBatch: 1000,
  webhooks: { attempts: 3, backoffMs: 10, timeoutMs: 1000, allowPrivateAddresses: true },
};

/** Records the webhook events handed over, per owner. */
export class RecordingWebhookDispatch extends WebhookDispatch {
  readonly dispatched: Array<{ ownerId: string; event: BatchEvent & { type: WebhookEventType } }> = [];
  dispatch(ownerId: string, event: BatchEvent & { type: WebhookEventType }): Promise<void> {
    this.dispatched.push({ ownerId, event });
    return Promise.resolve();
  }
}

export const ALICE: Uploader = { id: 'alice', channels: '*' };

/** Records what is queued; `jobs` holds the videos that have a job (as BullMQ's job ids would). */
export class RecordingQueue extends VideoProcessingQueue {
  readonly enqueued: string[] = [];
  /** The request id each job was queued with, by video. */
  readonly requestIds = new Map<string, string | undefined>();
  readonly jobs = new Set<string>();
  enqueue(videoId: string, requestId?: string): Promise<void> {
    this.enqueued.push(videoId);
    this.requestIds.set(videoId, requestId);
    this.jobs.add(videoId);
    return Promise.resolve();
  }
  async enqueueMissing(videoIds: readonly string[]): Promise<string[]> {
    const missing = videoIds.filter((id) => !this.jobs.has(id));
    for (const id of missing) await this.enqueue(id);
    return missing;
  }
}

export interface Harness {
  storage: InMemoryObjectStorage;
  progress: InMemoryProgressStore;
  queue: RecordingQueue;
  events: InMemoryBatchEventLog;
  webhooks: RecordingWebhookDispatch;
  repository: UploadSessionRepository;
  /** Progress's looks in storage: `await sync.settled()` after a poll, before the poll that shows what it learned. */
  sync: ProgressSync;
  db: DataSource;
  /** The number a `SELECT count(*)::int AS n ...` answers. */
  count(sql: string, parameters?: unknown[]): Promise<number>;
  initBatch: InitBatch;
  receiveChunk: ReceiveChunk;
  retryFailedChunks: RetryFailedChunks;
  completeUpload: CompleteUpload;
  abortUpload: AbortUpload;
  readProgress: ReadProgress;
  readBatch: ReadBatch;
  completeBatch: CompleteBatch;
  expireUploads: ExpireUploads;
  abortOrphanUploads: AbortOrphanUploads;
  requeueUnprocessedVideos: RequeueUnprocessedVideos;
  watchBatch: WatchBatch;
  close(): Promise<void>;
}

export async function startHarness(overrides: Partial<UploadSettings> = {}): Promise<Harness> {
  const database = `reelay_u_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE ${templateDatabase()}`);
  await admin.end();
  const db = await new DataSource(videosDataSourceOptions(databaseUrl(database), false)).initialize();

  const settings = { ...SETTINGS, ...overrides };
  const storage = new InMemoryObjectStorage();
  const progress = new InMemoryProgressStore();
  const queue = new RecordingQueue();
  const repository = new UploadSessionRepository(db);
  const sessions = new UploadSessions(repository);
  const events = new InMemoryBatchEventLog();
  const webhooks = new RecordingWebhookDispatch();
  const notifier = new BatchNotifier(EVENT_SETTINGS, events, webhooks, new BatchCompletion(db), repository, storage);
  const sync = new ProgressSync(settings, storage, progress, notifier);
  const partUrls = new PartUrls(settings, storage);
  const completeUpload = new CompleteUpload(settings, sessions, sync, repository, storage, progress, queue, notifier);
  return {
    storage,
    progress,
    queue,
    events,
    webhooks,
    repository,
    sync,
    db,
    count: async (sql, parameters) => (await db.query<Array<{ n: number }>>(sql, parameters))[0].n,
    initBatch: new InitBatch(settings, repository, storage, progress, partUrls),
    receiveChunk: new ReceiveChunk(settings, sessions, sync, storage, progress, notifier),
    retryFailedChunks: new RetryFailedChunks(sessions, sync, partUrls, progress),
    completeUpload,
    abortUpload: new AbortUpload(sessions, repository, storage, progress, notifier),
    readProgress: new ReadProgress(sessions, repository, sync, progress),
    readBatch: new ReadBatch(repository, sync),
    completeBatch: new CompleteBatch(repository, completeUpload),
    expireUploads: new ExpireUploads(repository, storage, progress, notifier),
    abortOrphanUploads: new AbortOrphanUploads(settings, repository, storage),
    requeueUnprocessedVideos: new RequeueUnprocessedVideos(repository, queue),
    watchBatch: new WatchBatch(settings, EVENT_SETTINGS, repository, events, sync, progress),
    async close() {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}

/** Random bytes standing for a file of `size` bytes. */
export function fileOf(size: number): Buffer {
  return randomBytes(size);
}

/** Bytes of chunk `index` of `file`. */
export function chunkOf(file: Buffer, chunkSize: number, index: number): Buffer {
  return file.subarray(index * chunkSize, Math.min(file.length, (index + 1) * chunkSize));
}

/** Awaits `promise` and answers the UploadError code it failed with (or throws when it succeeded). */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  return (error as { code: string }).code;
}
