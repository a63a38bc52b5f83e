/**
 * Receive chunk: one chunk sent through the API (POST /batch/chunk/:uploadId/:chunkIndex) is streamed
 * to storage as its part. The chunk is never held in memory: it flows from the socket into the storage
 * request. Sending a chunk again replaces it; a failed send leaves whatever was stored before
 * untouched (storage only swaps a part in once it arrived whole).
 *
 * A chunk racing its upload's completion is either in the video or refused with UPLOAD_COMPLETED: once
 * the part is stored, the session is read again and the object looked for, and either one there means
 * the complete may have joined the parts without this one (storage refuses a part whose ETag changed
 * since the complete listed it, so a chunk answered 200 is in the video or the complete fails).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { ProgressStore } from '#progress';
import { chunkLength, ObjectStorage, StorageError, StorageErrorCode } from '#storage';
import type { UploadSession } from '#videos';
import { BatchNotifier } from '../events/batch-notifier.js';
import { ProgressSync } from '../progress-sync.js';
import { UploadError, UploadErrorCode, uploadCompleted } from '../upload-error.js';
import { UploadSessions } from '../upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

export interface ChunkBody {
  stream: Readable;
  /** Exact chunk length in bytes announced up front (a raw body's Content-Length), if any. */
  declaredLength?: number;
  /** Length of the whole request in bytes; for form-data it bounds the chunk from above. */
  requestLength?: number;
  /**
   * Called when the chunk is refused or fails, perhaps before its body was read to the end: the front
   * door drops the rest of the body, and resolves once the answer can go out without breaking the
   * connection (the body ended, or the client stalled). Without it the stream is destroyed.
   */
  discard?(): Promise<void>;
}

export interface ReceiveChunkCommand {
  uploadId: string;
  ownerId: string;
  /** 0-based; the chunk goes to part chunkIndex + 1. */
  chunkIndex: number;
  body: ChunkBody;
}

export interface ReceivedChunk {
  uploadId: string;
  chunkIndex: number;
  /** Bytes stored for this chunk. */
  size: number;
  /** The ETag storage gave the part. */
  etag: string;
  /** Chunks stored so far, this one included. */
  completedCount: number;
  totalChunks: number;
  /** Whole percent of the file's bytes stored. */
  progress: number;
}

@Injectable()
export class ReceiveChunk {
  private readonly logger = new Logger(ReceiveChunk.name);

  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly sessions: UploadSessions,
    private readonly sync: ProgressSync,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly notifier: BatchNotifier,
  ) {}

  /**
   * Stores the chunk. Throws UploadError: UPLOAD_NOT_FOUND, UPLOAD_COMPLETED (also when the upload
   * completed while the chunk streamed), UPLOAD_ABORTED, UPLOAD_EXPIRED, CHUNK_INDEX_OUT_OF_RANGE,
   * CHUNK_TOO_LARGE, CHUNK_LENGTH_MISMATCH (the body is not the chunk's exact length), STORAGE_FAILED
   * (storage did not take it), or the UploadError the front door failed the body with (REQUEST_TIMEOUT
   * for a body that stayed idle). A chunk that fails while its upload is open is marked failed.
   */
  async execute(command: ReceiveChunkCommand): Promise<ReceivedChunk> {
    try {
      return await this.receive(command);
    } catch (error) {
      if (command.body.discard) await command.body.discard();
      else command.body.stream.destroy();
      throw error;
    }
  }

  private async receive({ uploadId, ownerId, chunkIndex, body }: ReceiveChunkCommand): Promise<ReceivedChunk> {
    const session = await this.sessions.findOpen(uploadId, ownerId, 'server');
    const expected = this.expectedLength(session, chunkIndex, body);
    await this.sync.snapshotOf(session);
    await this.progress.markUploading(uploadId, chunkIndex);

    // Both drivers let exactly `expected` bytes through and fail with LengthMismatch otherwise.
    let etag: string;
    try {
      ({ etag } = await this.storage.uploadPart(
        session.storageKey,
        session.multipartUploadId,
        chunkIndex + 1,
        body.stream,
        expected,
      ));
    } catch (error) {
      throw await this.failed(session, chunkIndex, expected, error);
    }
    await this.assertNotCompleted(session);
    await this.progress.markDone(uploadId, chunkIndex, expected);
    // Chunks PUT straight to storage meanwhile count too, as a poll would show them.
    const snapshot = await this.sync.fresh(await this.sync.snapshotOf(session), () => Promise.resolve(session), false);
    // One event per chunk, not awaited: the answer does not wait for the listeners' news (it never throws).
    void this.notifier.progress(session, snapshot);
    return {
      uploadId,
      chunkIndex,
      size: expected,
      etag,
      completedCount: snapshot.completedCount,
      totalChunks: snapshot.totalChunks,
      progress: snapshot.progress,
    };
  }

  /** The error to answer for a chunk storage did not take; marks it failed while its upload is open. */
  private async failed(session: UploadSession, chunkIndex: number, expected: number, error: unknown): Promise<Error> {
    const fault = bodyFault(error);
    // Completed, aborted or expired while the chunk streamed: the upload no longer takes it (throws).
    // Storage says so with NoSuchUpload, or by closing the connection before the body's end.
    if (!fault) await this.assertNotCompleted(session);
    await this.progress.markFailed(session.id, [chunkIndex]);
    const answer = this.answerFor(session, chunkIndex, expected, error, fault);
    await this.notifier.chunkFailed(session, [chunkIndex], answer.message);
    return answer;
  }

  private answerFor(
    session: UploadSession,
    chunkIndex: number,
    expected: number,
    error: unknown,
    fault: UploadError | undefined,
  ): Error {
    if (fault) return fault;
    if (error instanceof StorageError && error.code === StorageErrorCode.LengthMismatch)
      return mismatch(chunkIndex, expected);
    this.logger.warn(`chunk ${chunkIndex} of ${session.id} failed in storage: ${(error as Error).message}`);
    return new UploadError(
      UploadErrorCode.StorageFailed,
      `Storage did not take chunk ${chunkIndex}; send it again or ask /retry for a URL`,
      { chunkIndex },
      { cause: error },
    );
  }

  /**
   * Throws UPLOAD_COMPLETED when the session is completed or its object exists (a complete joined the
   * parts and has not reached the database yet), UPLOAD_ABORTED or UPLOAD_EXPIRED when it ended so.
   */
  private async assertNotCompleted(session: UploadSession): Promise<void> {
    await this.sessions.findOpen(session.id, session.ownerId);
    if (await this.storage.head(session.storageKey)) throw uploadCompleted(session.id);
  }

  /** Checks everything that can be checked before a byte is read. Answers the chunk's exact length. */
  private expectedLength(session: UploadSession, chunkIndex: number, body: ChunkBody): number {
    if (chunkIndex >= session.totalChunks) {
      throw new UploadError(UploadErrorCode.ChunkIndexOutOfRange, `chunkIndex must be below ${session.totalChunks}`, {
        chunkIndex,
        totalChunks: session.totalChunks,
      });
    }
    const expected = chunkLength(session, session.size, chunkIndex);
    const limit = this.settings.maxChunkSize;
    if (expected > limit) {
      throw new UploadError(
        UploadErrorCode.ChunkTooLarge,
        `chunk ${chunkIndex} has ${expected} bytes, more than the ${limit} the chunk route takes; use the presigned URL`,
        { chunkIndex, expected, limit },
      );
    }
    const tooShort = body.requestLength !== undefined && body.requestLength < expected;
    if ((body.declaredLength !== undefined && body.declaredLength !== expected) || tooShort) {
      throw mismatch(chunkIndex, expected, body.declaredLength ?? body.requestLength);
    }
    return expected;
  }
}

/** The UploadError the front door failed the body with (an idle body, a form over the limit), if any. */
function bodyFault(error: unknown): UploadError | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) if (e instanceof UploadError) return e;
  return undefined;
}

function mismatch(chunkIndex: number, expected: number, received?: number): UploadError {
  return new UploadError(UploadErrorCode.ChunkLengthMismatch, `chunk ${chunkIndex} must be exactly ${expected} bytes`, {
    chunkIndex,
    expected,
    received: received ?? null,
  });
}
