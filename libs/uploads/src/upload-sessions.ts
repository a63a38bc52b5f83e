/** Finds the caller's upload sessions and turns "not there" or "no longer open" into the right error. */
import { Injectable } from '@nestjs/common';
import { type PartSizing, type UploadSession, UploadSessionRepository } from '#videos';
import type { TusSession } from './tus/tus-upload.js';
import {
  UploadError,
  UploadErrorCode,
  uploadAborted,
  uploadCompleted,
  uploadExpired,
  uploadNotFound,
} from './upload-error.js';

/** Whether the session can no longer take bytes because its time ran out (cleaned up yet or not). */
export function isExpired(session: UploadSession, now = Date.now()): boolean {
  return session.state === 'expired' || (session.state === 'open' && session.expiresAt.getTime() <= now);
}

/** Throws UPLOAD_ABORTED or UPLOAD_EXPIRED for a session that ended without a video. */
export function assertNotAbandoned(session: UploadSession): void {
  if (session.state === 'aborted') throw uploadAborted(session.id);
  if (isExpired(session)) throw uploadExpired(session.id, session.expiresAt);
}

@Injectable()
export class UploadSessions {
  constructor(private readonly repository: UploadSessionRepository) {}

  /** The caller's session; another user's is as unknown as an id that never existed (UPLOAD_NOT_FOUND). */
  async find(uploadId: string, ownerId: string): Promise<UploadSession> {
    const session = await this.repository.findOwnedSession(uploadId, ownerId);
    if (!session) throw uploadNotFound(uploadId);
    return session;
  }

  /** The caller's session made through the tus routes; any other is UPLOAD_NOT_FOUND there. */
  async findTus(uploadId: string, ownerId: string): Promise<TusSession> {
    const session = await this.find(uploadId, ownerId);
    if (session.tusOffset === null || session.tusMetadata === null) throw uploadNotFound(uploadId);
    return { ...session, tusOffset: session.tusOffset, tusMetadata: session.tusMetadata };
  }

  /**
   * A session that still takes bytes; UPLOAD_COMPLETED, UPLOAD_ABORTED or UPLOAD_EXPIRED otherwise, and
   * WRONG_UPLOAD_ROUTE when its parts are sized by the other side than `sizing` says.
   */
  async findOpen(uploadId: string, ownerId: string, sizing?: PartSizing): Promise<UploadSession> {
    const session = await this.find(uploadId, ownerId);
    if (session.state === 'completed') throw uploadCompleted(uploadId);
    assertNotAbandoned(session);
    if (sizing !== undefined) assertPartSizing(session, sizing);
    return session;
  }
}

/** WRONG_UPLOAD_ROUTE unless the session's parts are sized as `sizing` says. */
export function assertPartSizing(session: UploadSession, sizing: PartSizing): void {
  if (session.partSizing === sizing) return;
  const route =
    session.partSizing === 'client'
      ? 'its client sizes its parts: use the Uppy (Companion) routes'
      : 'init planned its chunks: use the chunk, retry and complete routes';
  throw new UploadError(UploadErrorCode.WrongUploadRoute, `Upload ${session.id} does not take this route: ${route}`, {
    uploadId: session.id,
    partSizing: session.partSizing,
  });
}
