/**
 * Read a tus upload (tus core protocol, HEAD /api/v1/tus/:uploadId): its offset, length, metadata and
 * expiry, from PostgreSQL alone, so that it holds after a Redis flush or an API restart.
 */
import { Injectable } from '@nestjs/common';
import { type TusUpload, tusUpload } from '../tus/tus-upload.js';
import { assertNotAbandoned, UploadSessions } from '../upload-sessions.js';

export interface ReadTusUploadCommand {
  uploadId: string;
  ownerId: string;
}

@Injectable()
export class ReadTusUpload {
  constructor(private readonly sessions: UploadSessions) {}

  /**
   * A completed upload answers offset = length. Throws UploadError: UPLOAD_NOT_FOUND (unknown, someone
   * else's, or not a tus upload), UPLOAD_EXPIRED, UPLOAD_ABORTED (the spec's 404 or 410).
   */
  async execute({ uploadId, ownerId }: ReadTusUploadCommand): Promise<TusUpload> {
    const session = await this.sessions.findTus(uploadId, ownerId);
    if (session.state !== 'completed') assertNotAbandoned(session);
    return tusUpload(session);
  }
}
