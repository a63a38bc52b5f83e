/**
 * Presigned URLs for parts of an upload whose client sizes them (Uppy's `GET /s3/multipart/:id/:part`
 * and the batch form older versions use). The URL signs no length: S3 takes any part up to 5 GiB and
 * checks the 5 MiB minimum of every part but the last when the parts are joined.
 */
import { Inject, Injectable } from '@nestjs/common';
import { MAX_PARTS, ObjectStorage } from '#storage';
import { urlsExpireAt } from '../part-urls.js';
import { validationFailed } from '../upload-error.js';
import { UploadSessions } from '../upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

export interface SignClientPartsCommand {
  uploadId: string;
  ownerId: string;
  /** 1-based S3 part numbers, 1..10,000. */
  partNumbers: readonly number[];
}

export interface SignedClientParts {
  /** urls[i] takes part partNumbers[i] with one PUT. */
  urls: string[];
  expiresAt: Date;
}

@Injectable()
export class SignClientParts {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly sessions: UploadSessions,
    private readonly storage: ObjectStorage,
  ) {}

  /**
   * Throws UploadError: UPLOAD_NOT_FOUND, UPLOAD_COMPLETED, UPLOAD_ABORTED, UPLOAD_EXPIRED,
   * WRONG_UPLOAD_ROUTE (init planned its chunks), VALIDATION_FAILED (a part number outside 1..10,000).
   */
  async execute({ uploadId, ownerId, partNumbers }: SignClientPartsCommand): Promise<SignedClientParts> {
    const wrong = partNumbers.filter((n) => !Number.isInteger(n) || n < 1 || n > MAX_PARTS);
    if (wrong.length > 0 || partNumbers.length === 0)
      throw validationFailed([
        { field: 'partNumber', problems: [`part numbers are 1..${MAX_PARTS} (S3), got ${wrong.join(', ') || 'none'}`] },
      ]);
    const session = await this.sessions.findOpen(uploadId, ownerId, 'client');
    const { urlTtlSeconds } = this.settings;
    const expiresAt = urlsExpireAt(Date.now(), urlTtlSeconds);
    const urls = await this.storage.presignParts(
      session.storageKey,
      session.multipartUploadId,
      partNumbers.map((partNumber) => ({ partNumber })),
      urlTtlSeconds,
    );
    return { urls, expiresAt };
  }
}
