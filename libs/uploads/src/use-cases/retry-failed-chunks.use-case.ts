/**
 * Retry: fresh presigned URLs for just the chunks that failed (a send that broke, a URL that expired
 * before its part arrived, a chunk missing at complete). POST /batch/retry/:uploadId.
 */
import { Injectable } from '@nestjs/common';
import { ProgressStore } from '#progress';
import { PartUrls } from '../part-urls.js';
import { ProgressSync } from '../progress-sync.js';
import { UploadSessions } from '../upload-sessions.js';

export interface RetryFailedChunksCommand {
  uploadId: string;
  ownerId: string;
}

export interface RetryUrl {
  chunkIndex: number;
  /** A PUT of exactly the chunk's bytes stores it. */
  url: string;
  expiresAt: Date;
}

@Injectable()
export class RetryFailedChunks {
  constructor(
    private readonly sessions: UploadSessions,
    private readonly sync: ProgressSync,
    private readonly partUrls: PartUrls,
    private readonly progress: ProgressStore,
  ) {}

  /**
   * One URL per failed chunk, in ascending chunk order (none when nothing failed); those chunks become
   * `retrying` until their new URLs expire. Throws UploadError: UPLOAD_NOT_FOUND, UPLOAD_COMPLETED,
   * UPLOAD_EXPIRED.
   */
  async execute({ uploadId, ownerId }: RetryFailedChunksCommand): Promise<RetryUrl[]> {
    const session = await this.sessions.findOpen(uploadId, ownerId);
    await this.sync.snapshotOf(session);
    const failed = (await this.sync.syncWithStorage(session))?.failedChunks ?? [];
    if (failed.length === 0) return [];
    const { urls, expiresAt } = await this.partUrls.sign(session, failed);
    await this.progress.markRetrying(uploadId, failed, expiresAt.getTime());
    return failed.map((chunkIndex, i) => ({ chunkIndex, url: urls[i], expiresAt }));
  }
}
