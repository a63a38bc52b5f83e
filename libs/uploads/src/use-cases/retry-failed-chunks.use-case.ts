/**
 * Retry: fresh presigned URLs for just the chunks that failed (a send that broke, a URL that expired
 * before its part arrived, a chunk missing at complete), or for the chunks a client names that storage
 * does not hold yet (a page resuming after a reload, a URL storage refused). POST /batch/retry/:uploadId.
 */
import { Injectable } from '@nestjs/common';
import { parseChunkRanges, ProgressStore } from '#progress';
import { PartUrls } from '../part-urls.js';
import { ProgressSync } from '../progress-sync.js';
import { UploadError, UploadErrorCode } from '../upload-error.js';
import { UploadSessions } from '../upload-sessions.js';

export interface RetryFailedChunksCommand {
  uploadId: string;
  ownerId: string;
  /** 0-based chunks to sign; those already stored are left out. Absent: the failed chunks. */
  chunks?: readonly number[];
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
   * One URL per chunk to retry, in ascending chunk order (none when nothing is left to send); those
   * chunks become `retrying` until their new URLs expire. Throws UploadError: UPLOAD_NOT_FOUND,
   * UPLOAD_COMPLETED, UPLOAD_EXPIRED, UPLOAD_ABORTED, CHUNK_INDEX_OUT_OF_RANGE (a named chunk).
   */
  async execute({ uploadId, ownerId, chunks }: RetryFailedChunksCommand): Promise<RetryUrl[]> {
    const session = await this.sessions.findOpen(uploadId, ownerId, 'server');
    const outside = chunks?.find((i) => i >= session.totalChunks);
    if (outside !== undefined) {
      throw new UploadError(
        UploadErrorCode.ChunkIndexOutOfRange,
        `chunk ${outside} is not below ${session.totalChunks}`,
        {
          chunkIndex: outside,
          totalChunks: session.totalChunks,
        },
      );
    }
    await this.sync.snapshotOf(session);
    const snapshot = await this.sync.syncWithStorage(session);
    const failed = chunks ? notStored(chunks, snapshot?.storedChunks ?? '') : (snapshot?.failedChunks ?? []);
    if (failed.length === 0) return [];
    const { urls, expiresAt } = await this.partUrls.sign(session, failed);
    await this.progress.markRetrying(uploadId, failed, expiresAt.getTime());
    return failed.map((chunkIndex, i) => ({ chunkIndex, url: urls[i], expiresAt }));
  }
}

/** The named chunks storage does not hold, ascending and once each. */
function notStored(chunks: readonly number[], storedRanges: string): number[] {
  const stored = new Set(parseChunkRanges(storedRanges));
  return [...new Set(chunks)].filter((i) => !stored.has(i)).sort((a, b) => a - b);
}
