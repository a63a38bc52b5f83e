/**
 * Progress of one upload, right whichever way the bytes went.
 *
 * Chunks sent through the chunk route are counted as they land. Chunks PUT straight to storage through
 * presigned URLs are learned from storage (ListParts), at most once per PROGRESS_SYNC_INTERVAL_MS per
 * upload across all API instances (a look takes a Redis lock first), so that polling does not
 * hammer storage. A poll never waits for storage (revalidate(): stale-while-revalidate, as RFC 5861
 * names it): it answers what Redis knows and the look runs behind it, at most
 * PROGRESS_SYNC_CONCURRENCY at a time per process. When the Redis keys are gone (flushed, lost) they
 * are rebuilt from PostgreSQL and storage: PostgreSQL is the truth about sessions, storage about parts.
 *
 * What a look in storage teaches is told to the batch's listeners (BatchNotifier): a `progress` event
 * when chunks arrived, `chunk.failed` for chunks whose URL expired before they came.
 */
import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { ProgressStore, type ProgressSnapshot } from '#progress';
import { chunkLength, MAX_PARTS, ObjectStorage, StorageError, StorageErrorCode, type StoredPart } from '#storage';
import type { UploadSession } from '#videos';
import { BatchNotifier } from './events/batch-notifier.js';
import { uploadExpired } from './upload-error.js';
import { assertNotAbandoned, isExpired } from './upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from './upload-settings.js';

/** Longest a shutdown waits for the looks in storage running behind polls (milliseconds). */
const SHUTDOWN_DRAIN_MS = 5_000;

@Injectable()
export class ProgressSync implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ProgressSync.name);
  /** Looks in storage running behind answered polls. */
  private readonly behind = new Set<Promise<void>>();
  private closing = false;

  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly notifier: BatchNotifier,
  ) {}

  /**
   * `snapshot`, or the snapshot after asking storage when the last look is PROGRESS_SYNC_INTERVAL_MS old
   * and this caller takes the upload's sync lock: one look per interval across all API instances, so a
   * part PUT straight to storage shows within one interval. `session` is read only then (a poll in
   * between stays one Redis round trip). With `tell` false, what was learned is not told (the caller
   * tells the snapshot it answers: the chunk route's one event per chunk).
   */
  async fresh(
    snapshot: ProgressSnapshot,
    session: () => Promise<UploadSession>,
    tell = true,
  ): Promise<ProgressSnapshot> {
    const interval = this.settings.progressSyncIntervalMs;
    if (!this.isStale(snapshot)) return snapshot;
    if (!(await this.progress.tryLockSync(snapshot.uploadId, Math.max(1, interval)))) return snapshot;
    const open = await session();
    if (open.state !== 'open' || isExpired(open)) return snapshot;
    return (await this.syncWithStorage(open, tell ? snapshot : undefined)) ?? snapshot;
  }

  /**
   * `snapshot` at once, for a poll. When its last look in storage is PROGRESS_SYNC_INTERVAL_MS old, a
   * fresh() look starts behind the answer, and what it learns is in Redis (and told to the batch's
   * listeners) for the next poll: a part PUT straight to storage shows within one interval and one poll.
   * Past PROGRESS_SYNC_CONCURRENCY looks running in this process, none starts (a later poll asks again),
   * so a burst of polls over many uploads costs storage a bounded number of listings at a time.
   * A failed look is logged, never answered: the poll already has its answer.
   */
  revalidate(snapshot: ProgressSnapshot, session: () => Promise<UploadSession>): ProgressSnapshot {
    if (this.closing || !this.isStale(snapshot) || this.behind.size >= this.settings.progressSyncConcurrency)
      return snapshot;
    const look = this.fresh(snapshot, session).then(
      () => undefined,
      (error: unknown) =>
        this.logger.warn(`progress of ${snapshot.uploadId} not synced with storage: ${String(error)}`),
    );
    this.behind.add(look);
    void look.finally(() => this.behind.delete(look));
    return snapshot;
  }

  /** Resolves once the looks in storage running behind polls now are done (failed ones included). */
  async settled(): Promise<void> {
    await Promise.all(this.behind);
  }

  /**
   * Lets the looks running behind polls finish while Redis and storage are still open, for at most
   * SHUTDOWN_DRAIN_MS: a look stuck on storage is cut when the storage client closes after this.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_DRAIN_MS)));
    await Promise.race([this.settled(), limit]);
    clearTimeout(timer);
  }

  private isStale(snapshot: ProgressSnapshot): boolean {
    return Date.now() - snapshot.syncedAt >= this.settings.progressSyncIntervalMs;
  }

  /**
   * The snapshot of an open session, rebuilding its Redis keys from PostgreSQL and storage when they
   * are gone. UPLOAD_EXPIRED for a session past its expiry, whose keys expired with it; UPLOAD_ABORTED
   * for an aborted one.
   */
  async snapshotOf(session: UploadSession): Promise<ProgressSnapshot> {
    const existing = await this.progress.get(session.id);
    if (existing) return existing;
    assertNotAbandoned(session);
    await this.progress.init({
      uploadId: session.id,
      filename: session.filename,
      ownerId: session.ownerId,
      // A client-sized upload counts parts as storage lists them, up to S3's most; its size is unknown.
      totalChunks: session.partSizing === 'client' ? MAX_PARTS : session.totalChunks,
      size: session.size,
      expiresAt: session.expiresAt.getTime(),
      urlsExpireAt: session.urlsExpireAt.getTime(),
    });
    const rebuilt = await this.syncWithStorage(session, null);
    if (rebuilt) return rebuilt;
    // The keys expired between the check and now: the session ran out meanwhile.
    throw uploadExpired(session.id, session.expiresAt);
  }

  /**
   * Learns from storage which chunks are stored, marks chunks whose URL expired before they arrived
   * as failed, and answers the new snapshot (null when the keys are gone). What changed since `before`
   * (everything, when null) is told to the batch's listeners; nothing is told when it is undefined.
   */
  async syncWithStorage(session: UploadSession, before?: ProgressSnapshot | null): Promise<ProgressSnapshot | null> {
    const now = Date.now();
    let stored: Map<number, StoredPart>;
    try {
      stored = await this.storedChunks(session);
    } catch (error) {
      // Completed or aborted meanwhile: nothing more to learn from the multipart upload.
      if (error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload)
        return this.progress.get(session.id);
      throw error;
    }
    await this.progress.markManyDone(
      session.id,
      [...stored].map(([index, part]) => [index, part.size]),
    );
    const leases = await this.progress.leases(session.id);
    const expired: number[] = [];
    for (let i = 0; i < session.totalChunks; i++) {
      if (!stored.has(i) && (leases.get(i) ?? session.urlsExpireAt.getTime()) <= now) expired.push(i);
    }
    await this.progress.markFailed(session.id, expired);
    await this.progress.setSyncedAt(session.id, now);
    const after = await this.progress.get(session.id);
    if (after && before !== undefined) await this.tell(session, before, after);
    return after;
  }

  private async tell(session: UploadSession, before: ProgressSnapshot | null, after: ProgressSnapshot): Promise<void> {
    const failedBefore = new Set(before?.failedChunks);
    const newlyFailed = after.failedChunks.filter((i) => !failedBefore.has(i));
    await this.notifier.chunkFailed(session, newlyFailed, 'its URL expired before the chunk arrived');
    const moved = !before || before.completedBytes !== after.completedBytes || newlyFailed.length > 0;
    if (moved) await this.notifier.progress(session, after);
  }

  /**
   * Chunk index -> part, for every chunk that is in storage with its exact length (part i + 1 holds
   * chunk i); for a client-sized upload, every part stored. Throws StorageError(NoSuchUpload) when the
   * multipart upload is gone.
   */
  async storedChunks(session: UploadSession): Promise<Map<number, StoredPart>> {
    const stored = new Map<number, StoredPart>();
    const clientSized = session.partSizing === 'client';
    for (const part of await this.storage.listParts(session.storageKey, session.multipartUploadId)) {
      const index = part.partNumber - 1;
      if (clientSized || (index < session.totalChunks && part.size === chunkLength(session, session.size, index)))
        stored.set(index, part);
    }
    return stored;
  }
}
