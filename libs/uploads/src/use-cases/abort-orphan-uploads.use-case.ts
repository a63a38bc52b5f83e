/**
 * Abort orphan uploads: part of the cleanup. Init creates the multipart uploads in storage before it
 * records them in PostgreSQL; an API killed in between leaves multipart uploads that no session knows,
 * which nothing else would ever abort (Storj bills their parts and has no lifecycle rules). This lists
 * the multipart uploads under the product's key prefix (S3 ListMultipartUploads) and aborts every one
 * that is older than UPLOAD_ORPHAN_GRACE_SECONDS and belongs to no open session.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { ObjectStorage } from '#storage';
import { UploadSessionRepository } from '#videos';
import { SOURCE_KEY_PREFIX } from '../storage-keys.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

export interface AbortOrphanUploadsResult {
  /** Multipart uploads of no session, aborted. */
  aborted: number;
  /** Orphans whose abort failed: the next run tries again. */
  failed: number;
}

@Injectable()
export class AbortOrphanUploads {
  private readonly logger = new Logger(AbortOrphanUploads.name);

  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
  ) {}

  async execute(now = new Date()): Promise<AbortOrphanUploadsResult> {
    const oldEnough = now.getTime() - this.settings.orphanGraceSeconds * 1000;
    const candidates = (await this.storage.listMultipartUploads(SOURCE_KEY_PREFIX)).filter(
      (u) => u.initiated.getTime() < oldEnough,
    );
    const known = await this.repository.openMultipartUploadIds(candidates.map((u) => u.multipartUploadId));
    const result: AbortOrphanUploadsResult = { aborted: 0, failed: 0 };
    for (const orphan of candidates.filter((u) => !known.has(u.multipartUploadId))) {
      try {
        await this.storage.abortMultipart(orphan.key, orphan.multipartUploadId);
        result.aborted += 1;
      } catch (error) {
        result.failed += 1;
        this.logger.warn(`orphan multipart upload ${orphan.key} not aborted yet: ${(error as Error).message}`);
      }
    }
    if (result.aborted + result.failed > 0)
      this.logger.log(`cleanup: ${result.aborted} orphan multipart uploads aborted, ${result.failed} left`);
    return result;
  }
}
