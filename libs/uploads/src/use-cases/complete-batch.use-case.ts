/**
 * Complete a whole batch (POST /batch/:batchId/complete): every file whose chunks are all stored is
 * completed as POST /batch/complete/:uploadId completes it (CompleteUpload, file by file), and each file
 * answers its video, the chunks it misses, or why it cannot be completed. Calling it again answers the
 * same videos; once the missing chunks are stored, it completes those files too.
 */
import { Injectable } from '@nestjs/common';
import { UploadSessionRepository, type UploadSession, type Video } from '#videos';
import { batchNotFound, UploadError, UploadErrorCode } from '../upload-error.js';
import { assertPartSizing } from '../upload-sessions.js';
import { CompleteUpload } from './complete-upload.use-case.js';

export interface CompleteBatchCommand {
  batchId: string;
  ownerId: string;
  /** The request's X-Request-Id, carried in each processing job to the worker's log lines. */
  requestId?: string;
}

/** What became of one file: completed (its video), chunks missing, or another refusal. */
export type BatchFileCompletion =
  | { uploadId: string; filename: string; outcome: 'completed'; video: Video }
  | {
      uploadId: string;
      filename: string;
      outcome: 'missing_chunks';
      /** 0-based chunk indices not stored (marked failed, so that /retry covers them), as MISSING_PARTS says. */
      missingChunks: number[];
      totalChunks: number;
    }
  | {
      uploadId: string;
      filename: string;
      outcome: 'failed';
      /** The refusal POST /batch/complete/:uploadId would answer for it alone. */
      error: { code: UploadErrorCode; message: string; details: Record<string, unknown> | null };
    };

export interface BatchCompletion {
  batchId: string;
  /** True when every file of the batch has its video. */
  completed: boolean;
  /** In the order of init's `files`. */
  files: BatchFileCompletion[];
}

@Injectable()
export class CompleteBatch {
  constructor(
    private readonly repository: UploadSessionRepository,
    private readonly completeUpload: CompleteUpload,
  ) {}

  /**
   * Throws UploadError BATCH_NOT_FOUND (unknown, or someone else's). A file's own refusals are in its
   * answer; anything else (storage or the database down) is thrown, and calling again is safe.
   */
  async execute({ batchId, ownerId, requestId }: CompleteBatchCommand): Promise<BatchCompletion> {
    const found = await this.repository.findOwnedBatch(batchId, ownerId);
    if (!found) throw batchNotFound(batchId);
    const files = await Promise.all(found.sessions.map((s) => this.completeFile(s, ownerId, requestId)));
    return { batchId, completed: files.every((f) => f.outcome === 'completed'), files };
  }

  private async completeFile(
    session: UploadSession,
    ownerId: string,
    requestId?: string,
  ): Promise<BatchFileCompletion> {
    const file = { uploadId: session.id, filename: session.filename };
    try {
      // Without the client's list of parts, joining a client-sized upload could cut it short: its client
      // completes it (Uppy's routes). Once completed, it answers its video like any other.
      if (session.state === 'open') assertPartSizing(session, 'server');
      const video = await this.completeUpload.execute({ uploadId: session.id, ownerId, requestId });
      return { ...file, outcome: 'completed', video };
    } catch (error) {
      if (!(error instanceof UploadError)) throw error;
      const missingChunks = error.details?.missingChunks;
      if (error.code === UploadErrorCode.MissingParts && Array.isArray(missingChunks)) {
        return {
          ...file,
          outcome: 'missing_chunks',
          missingChunks: missingChunks as number[],
          totalChunks: session.totalChunks,
        };
      }
      return {
        ...file,
        outcome: 'failed',
        error: { code: error.code, message: error.message, details: error.details },
      };
    }
  }
}
