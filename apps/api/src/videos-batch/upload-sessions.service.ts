/** Finds upload sessions for the batch routes and turns "not there" into the right error. */
import { Injectable } from '@nestjs/common';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';

@Injectable()
export class UploadSessionsService {
  constructor(private readonly sessions: UploadSessionRepository) {}

  /** The caller's session; another user's is as unknown as an id that never existed (404). */
  async find(uploadId: string, ownerId: string): Promise<UploadSession> {
    const session = await this.sessions.findOwnedSession(uploadId, ownerId);
    if (!session) throw new UploadError(UploadErrorCode.UploadNotFound, `Upload ${uploadId} not found`, { uploadId });
    return session;
  }

  /** A session that still takes bytes: not completed, not expired. */
  async findOpen(uploadId: string, ownerId: string): Promise<UploadSession> {
    const session = await this.find(uploadId, ownerId);
    if (session.state === 'completed') {
      throw new UploadError(UploadErrorCode.UploadCompleted, `Upload ${uploadId} is already completed`, { uploadId });
    }
    if (session.state === 'expired' || session.expiresAt.getTime() <= Date.now()) {
      throw new UploadError(UploadErrorCode.UploadExpired, `Upload ${uploadId} expired; start a new one`, { uploadId, expiredAt: session.expiresAt.toISOString() });
    }
    return session;
  }
}
