/**
 * Terminate a tus upload (tus "Termination" extension, DELETE /api/v1/tus/:uploadId): AbortUpload (which
 * releases the multipart upload and the partial object), and this instance's spool file. Later requests
 * for it answer 410 UPLOAD_ABORTED.
 */
import { Injectable } from '@nestjs/common';
import { TusSpools } from '../tus/tus-spools.js';
import { uploadAborted } from '../upload-error.js';
import { UploadSessions } from '../upload-sessions.js';
import { AbortUpload } from './abort-upload.use-case.js';

export interface TerminateTusUploadCommand {
  uploadId: string;
  ownerId: string;
}

@Injectable()
export class TerminateTusUpload {
  constructor(
    private readonly sessions: UploadSessions,
    private readonly abortUpload: AbortUpload,
    private readonly spools: TusSpools,
  ) {}

  /**
   * Throws UploadError: UPLOAD_NOT_FOUND (also for an upload that is not a tus one), UPLOAD_COMPLETED,
   * UPLOAD_EXPIRED, UPLOAD_ABORTED (terminated before: the spec's 410).
   */
  async execute({ uploadId, ownerId }: TerminateTusUploadCommand): Promise<void> {
    const session = await this.sessions.findTus(uploadId, ownerId);
    if (session.state === 'aborted') throw uploadAborted(uploadId);
    await this.abortUpload.execute({ uploadId, ownerId });
    await this.spools.forget(uploadId);
  }
}
