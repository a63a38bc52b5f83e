/**
 * Watch a batch: its events from a point on (Last-Event-ID, or its start), then each new one as it is
 * logged, by whichever API instance or worker made it. GET /batch/:batchId/events and, for one file,
 * GET /batch/events/:uploadId (Server-Sent Events).
 *
 * While someone watches, the server learns of parts PUT straight to storage without a page polling:
 * every PROGRESS_SYNC_INTERVAL_MS (at most; a Redis lock shares it with polls and other watchers on any
 * instance) each open upload of the batch is synced with storage, and what arrived is logged as
 * `progress`. The log is read every EVENTS_POLL_INTERVAL_MS with one XRANGE on the shared connection:
 * a watcher holds no Redis connection of its own.
 */
import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProgressStore } from '#progress';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { EVENT_ID, BatchEventLog } from '../events/batch-event-log.js';
import type { LoggedBatchEvent } from '../events/batch-event.js';
import { EVENT_SETTINGS, type EventSettings } from '../events/event-settings.js';
import { ProgressSync } from '../progress-sync.js';
import { batchNotFound, uploadNotFound, validationFailed } from '../upload-error.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

/** Events read from the log at once. */
const PAGE = 200;

export interface WatchBatchCommand {
  ownerId: string;
  /** The batch to watch; or */
  batchId?: string;
  /** the one upload to watch (its batch's events about it, and `batch.completed`). */
  uploadId?: string;
  /** The id of the last event the client has (Last-Event-ID): the watch starts after it. */
  after?: string;
}

export interface BatchWatch {
  batchId: string;
  /** The events, until `signal` aborts; never ends by itself. */
  events(signal: AbortSignal): AsyncGenerator<LoggedBatchEvent>;
}

@Injectable()
export class WatchBatch {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly uploadSettings: UploadSettings,
    @Inject(EVENT_SETTINGS) private readonly settings: EventSettings,
    private readonly repository: UploadSessionRepository,
    private readonly log: BatchEventLog,
    private readonly sync: ProgressSync,
    private readonly progress: ProgressStore,
  ) {}

  /**
   * Checks what can be checked before the first event. Throws UploadError: VALIDATION_FAILED (`after`
   * is no event id), BATCH_NOT_FOUND or UPLOAD_NOT_FOUND (unknown, or someone else's).
   */
  async open(command: WatchBatchCommand): Promise<BatchWatch> {
    const { after, uploadId } = command;
    if (after !== undefined && !EVENT_ID.test(after))
      throw validationFailed([{ field: 'Last-Event-ID', problems: ['must be an event id, e.g. 1764900000000-0'] }]);
    const sessions = await this.sessionsOf(command);
    const batchId = sessions[0].batchId;
    return {
      batchId,
      events: (signal) => this.follow(batchId, sessions, after ?? null, uploadId, signal),
    };
  }

  private async sessionsOf({ ownerId, batchId, uploadId }: WatchBatchCommand): Promise<UploadSession[]> {
    if (uploadId !== undefined) {
      const session = await this.repository.findOwnedSession(uploadId, ownerId);
      if (!session) throw uploadNotFound(uploadId);
      return [session];
    }
    const found = batchId ? await this.repository.findOwnedBatch(batchId, ownerId) : null;
    if (!found) throw batchNotFound(batchId ?? '');
    return found.sessions;
  }

  private async *follow(
    batchId: string,
    sessions: UploadSession[],
    after: string | null,
    uploadId: string | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<LoggedBatchEvent> {
    const syncEvery = Math.max(this.uploadSettings.progressSyncIntervalMs, this.settings.pollIntervalMs);
    let last = after;
    let syncedAt = 0;
    while (!signal.aborted) {
      if (Date.now() - syncedAt >= syncEvery) {
        syncedAt = Date.now();
        await this.learnFromStorage(sessions);
      }
      for (let page = PAGE; page === PAGE && !signal.aborted;) {
        const events = await this.log.read(batchId, last, PAGE);
        page = events.length;
        for (const logged of events) {
          last = logged.id;
          if (uploadId === undefined || aboutUpload(logged, uploadId)) yield logged;
        }
      }
      await sleep(this.settings.pollIntervalMs, undefined, { signal }).catch(() => undefined);
    }
  }

  /** Parts PUT straight to storage: each open upload is synced (and what arrived logged) once per interval. */
  private async learnFromStorage(sessions: UploadSession[]): Promise<void> {
    for (const session of sessions) {
      // Completed, aborted and expired uploads have no progress keys: nothing more to learn.
      const snapshot = await this.progress.get(session.id);
      if (snapshot)
        await this.sync.fresh(snapshot, () => this.repository.findSession(session.id).then((s) => s ?? session));
    }
  }
}

function aboutUpload({ event }: LoggedBatchEvent, uploadId: string): boolean {
  return event.type === 'batch.completed' || event.uploadId === uploadId;
}
