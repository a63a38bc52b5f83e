/**
 * Read a batch: every file of one init with its progress and, once completed, its video's processing
 * state, and the batch's figures and state (GET /batch/:batchId). An open file's figures come from
 * its Redis progress as a poll of it would answer them (ProgressSync: storage asked at most once per
 * PROGRESS_SYNC_INTERVAL_MS per upload); PostgreSQL says which files ended, and how.
 */
import { Injectable } from '@nestjs/common';
import { progressPercent, type UploadStatus } from '#progress';
import { type UploadSession, UploadSessionRepository, type Video } from '#videos';
import { type BatchState, batchState, type FileOutcome } from '../batch-state.js';
import { ProgressSync } from '../progress-sync.js';
import { batchNotFound, UploadError, UploadErrorCode } from '../upload-error.js';
import { isExpired } from '../upload-sessions.js';
import { completedProgress, fromSnapshot, type UploadProgress } from './read-progress.use-case.js';

export interface ReadBatchCommand {
  batchId: string;
  ownerId: string;
}

/** A file's status: an upload's (UPLOAD_STATUSES), or `expired` for one that ran out (410 on its own routes). */
export type BatchFileStatus = UploadStatus | 'expired';

/** One file of the batch: its progress as GET /progress answers it, and its size. */
export interface BatchFile extends Omit<UploadProgress, 'status'> {
  status: BatchFileStatus;
  /** Bytes of the file; null while an upload whose client sizes its parts (Uppy's) is open. */
  size: number | null;
}

/** The batch as one unit: a plain result (the answer of GET /batch/:batchId, and of events about it). */
export interface BatchProgress {
  batchId: string;
  channelId: string;
  createdAt: Date;
  state: BatchState;
  /** In the order of init's `files`. */
  files: BatchFile[];
  /**
   * Bytes stored of the files still going or completed. Aborted and expired files count in neither
   * figure: their storage is released, and no video can come of them (`state` and their `status` say so).
   */
  bytesStored: number;
  /** Bytes of those files; null while one of them is a client-sized upload whose size is not known yet. */
  bytesTotal: number | null;
  /** Whole percent of bytesTotal stored, 0-100 (100 only when each of those files is); null with bytesTotal. */
  progress: number | null;
}

@Injectable()
export class ReadBatch {
  constructor(
    private readonly repository: UploadSessionRepository,
    private readonly sync: ProgressSync,
  ) {}

  /** Throws UploadError BATCH_NOT_FOUND for an unknown batch, or someone else's. */
  async execute({ batchId, ownerId }: ReadBatchCommand): Promise<BatchProgress> {
    const found = await this.repository.findOwnedBatch(batchId, ownerId);
    if (!found) throw batchNotFound(batchId);
    const { batch, sessions } = found;
    const completed = sessions.filter((s) => s.state === 'completed').map((s) => s.id);
    const videos = new Map((await this.repository.findVideosByUploadIds(completed)).map((v) => [v.uploadId, v]));
    const read = await Promise.all(sessions.map((s) => this.readFile(s, videos.get(s.id) ?? null)));
    const living = read.filter((f) => f.outcome === 'open' || f.outcome === 'completed').map((f) => f.file);
    const bytesStored = living.reduce((sum, f) => sum + f.bytesStored, 0);
    const bytesTotal = living.some((f) => f.size === null) ? null : living.reduce((sum, f) => sum + (f.size ?? 0), 0);
    const progress =
      bytesTotal === null
        ? null
        : progressPercent({
            completedBytes: bytesStored,
            size: bytesTotal,
            completedCount: living.filter((f) => f.progress === 100).length,
            totalChunks: living.length,
          });
    return {
      batchId: batch.id,
      channelId: batch.channelId,
      createdAt: batch.createdAt,
      state: batchState(read.map((f) => f.outcome)),
      files: read.map((f) => f.file),
      bytesStored,
      bytesTotal,
      progress,
    };
  }

  private async readFile(
    session: UploadSession,
    video: Video | null,
  ): Promise<{ outcome: FileOutcome; file: BatchFile }> {
    if (session.state === 'completed') {
      return { outcome: 'completed', file: { ...completedProgress(session, video), size: session.size } };
    }
    if (session.state === 'open' && !isExpired(session)) {
      try {
        const snapshot = await this.sync.fresh(await this.sync.snapshotOf(session), () => Promise.resolve(session));
        const size = session.partSizing === 'client' ? null : session.size;
        return { outcome: 'open', file: { ...fromSnapshot(snapshot), size } };
      } catch (error) {
        // It ran out or was aborted while this read went on.
        if (!(error instanceof UploadError && error.code === UploadErrorCode.UploadExpired)) throw error;
      }
    }
    const outcome = session.state === 'aborted' ? 'aborted' : 'expired';
    return { outcome, file: ended(session, outcome) };
  }
}

/** A file that ended without a video: nothing of it is kept. */
function ended(session: UploadSession, status: 'aborted' | 'expired'): BatchFile {
  return {
    uploadId: session.id,
    filename: session.filename,
    progress: 0,
    status,
    failedChunks: [],
    totalChunks: session.totalChunks,
    completedCount: 0,
    bytesStored: 0,
    storedChunks: '',
    size: session.partSizing === 'client' && session.size === 0 ? null : session.size,
  };
}
