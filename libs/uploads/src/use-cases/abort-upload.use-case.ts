/**
 * Abort: the uploader gives an upload up (POST /batch/abort/:uploadId). Its multipart upload is aborted
 * and anything stored under its key deleted, so that storage bills nothing for it, its progress keys
 * go, and every later call for it answers 410 UPLOAD_ABORTED. Aborting again answers the same.
 */
import { Injectable, Logger } from '@nestjs/common';
import { uploadsAborted } from '#observability';
import { ProgressStore } from '#progress';
import { ObjectStorage } from '#storage';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { BatchNotifier } from '../events/batch-notifier.js';
import { tusPartialKey } from '../tus/tus-spools.js';
import { uploadCompleted, uploadExpired } from '../upload-error.js';
import { isExpired, UploadSessions } from '../upload-sessions.js';

export interface AbortUploadCommand {
  uploadId: string;
  ownerId: string;
}

export interface AbortedUpload {
  uploadId: string;
  status: 'aborted';
}

@Injectable()
export class AbortUpload {
  private readonly logger = new Logger(AbortUpload.name);

  constructor(
    private readonly sessions: UploadSessions,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly notifier: BatchNotifier,
  ) {}

  /**
   * Throws UploadError: UPLOAD_NOT_FOUND, UPLOAD_COMPLETED (a video exists: it is not an upload's to
   * drop), UPLOAD_EXPIRED (past its expiry: the cleanup releases it, or already did). A storage failure is thrown as it is, and
   * the upload stays open.
   */
  async execute({ uploadId, ownerId }: AbortUploadCommand): Promise<AbortedUpload> {
    const session = await this.sessions.find(uploadId, ownerId);
    // Past its expiry it is the cleanup's, as for every other route, whether the cleanup ran yet or not.
    if (session.state === 'open' && isExpired(session)) throw uploadExpired(uploadId, session.expiresAt);
    const state = await this.repository.abort(session.id, (s) => this.release(s));
    if (state === 'completed') throw uploadCompleted(uploadId);
    if (state === 'expired') throw uploadExpired(uploadId, session.expiresAt);
    await this.progress.remove(uploadId);
    if (session.state === 'open') await this.notifier.uploadAborted(session);
    return { uploadId, status: 'aborted' };
  }

  /** Runs while the session's row is locked. */
  private async release(session: UploadSession): Promise<void> {
    await this.storage.abortMultipart(session.storageKey, session.multipartUploadId);
    // A complete racing this one may have joined the parts already: that object goes too.
    await this.storage.delete(session.storageKey);
    // A tus upload's partial chunk (tus/tus-spools.ts), kept outside the session's key.
    if (session.tusOffset !== null) await this.storage.delete(tusPartialKey(session.id));
    this.logger.log(`upload ${session.id} aborted: storage released`);
    uploadsAborted.inc();
  }
}
