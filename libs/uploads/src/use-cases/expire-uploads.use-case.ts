/**
 * Expire uploads: the cleanup of abandoned uploads, run by the worker on a schedule. Storj has no
 * bucket lifecycle rules, so nothing else ever aborts a multipart upload a client walked away from,
 * and its parts are billed. Each run takes the open sessions past their expiry, aborts their multipart
 * uploads, deletes whatever object they left (a multipart upload completed by a complete call that
 * then failed), marks them `expired` and drops their Redis progress. Sessions are claimed with SKIP
 * LOCKED, so any number of workers may run it at once.
 */
import { Injectable, Logger } from '@nestjs/common';
import { uploadsExpired } from '#observability';
import { ProgressStore } from '#progress';
import { ObjectStorage } from '#storage';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { tusPartialKey } from '../tus/tus-spools.js';
import { BatchNotifier } from '../events/batch-notifier.js';

/** Sessions per database round; a run goes on while full rounds come back. */
const BATCH = 100;

export interface ExpireUploadsCommand {
  /** Stops the run between two rounds (the worker is shutting down). */
  signal?: AbortSignal;
}

export interface ExpireUploadsResult {
  /** Sessions expired, their storage released. */
  expired: number;
  /** Sessions whose storage could not be released: they stay open for the next run. */
  failed: number;
}

@Injectable()
export class ExpireUploads {
  private readonly logger = new Logger(ExpireUploads.name);

  constructor(
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly notifier: BatchNotifier,
  ) {}

  async execute({ signal }: ExpireUploadsCommand = {}): Promise<ExpireUploadsResult> {
    const result: ExpireUploadsResult = { expired: 0, failed: 0 };
    for (let full = true; full && !signal?.aborted;) {
      const outcome = await this.repository.expireAbandoned(BATCH, (s) => this.release(s));
      for (const session of outcome.expired) await this.forgetProgress(session);
      // The last open file of a batch may have just expired: the batch is over then.
      for (const session of outcome.expired) await this.notifier.uploadExpired(session);
      for (const { sessionId, error } of outcome.failed)
        this.logger.warn(`upload ${sessionId} could not be cleaned up yet: ${(error as Error).message}`);
      result.expired += outcome.expired.length;
      result.failed += outcome.failed.length;
      full = outcome.expired.length === BATCH;
    }
    if (result.expired + result.failed > 0)
      this.logger.log(`cleanup: ${result.expired} abandoned uploads expired, ${result.failed} left for the next run`);
    return result;
  }

  /** Runs while the session's row is locked; throwing leaves the session open for the next run. */
  private async release(session: UploadSession): Promise<void> {
    await this.storage.abortMultipart(session.storageKey, session.multipartUploadId);
    // The key is the session's own: an object there belongs to no video.
    await this.storage.delete(session.storageKey);
    // A tus upload's partial chunk (tus/tus-spools.ts), kept outside the session's key.
    if (session.tusOffset !== null) await this.storage.delete(tusPartialKey(session.id));
    this.logger.log(`upload ${session.id} expired: storage released`);
    uploadsExpired.inc();
  }

  /** The keys expire on their own at the session's expiry anyway; a failure here is only logged. */
  private async forgetProgress(session: UploadSession): Promise<void> {
    await this.progress
      .remove(session.id)
      .catch((e: Error) => this.logger.warn(`progress of upload ${session.id} not removed: ${e.message}`));
  }
}
