/**
 * Receives one chunk through the API and streams it to storage as its part (or as the whole object for
 * a single upload). The chunk is never held in memory: it flows from the socket into the storage
 * request. Sending a chunk again replaces it; a failed send leaves whatever
 * was stored before untouched (storage only swaps a part in once it arrived whole).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '#config';
import { ProgressStore } from '#progress';
import { chunkLength, ObjectStorage, StorageError, StorageErrorCode } from '#storage';
import type { UploadSession } from '#videos';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import type { ChunkResultDto } from './dto/chunk-result.dto.js';
import { UploadProgressService } from './upload-progress.service.js';
import { UploadSessionsService } from './upload-sessions.service.js';

export interface ChunkBody {
  stream: Readable;
  /** Exact chunk length announced up front (raw bodies with Content-Length), if any. */
  declaredLength?: number;
  /** Length of the whole request; for form-data it bounds the chunk from above. */
  requestLength?: number;
}

@Injectable()
export class ChunkService {
  private readonly logger = new Logger(ChunkService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: UploadSessionsService,
    private readonly uploads: UploadProgressService,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  /** Checks everything that can be checked before a byte is read. Answers the chunk's exact length. */
  private expectedLength(session: UploadSession, chunkIndex: number, body: ChunkBody): number {
    if (chunkIndex >= session.totalChunks) {
      throw new UploadError(UploadErrorCode.ChunkIndexOutOfRange, `chunkIndex must be below ${session.totalChunks}`, { chunkIndex, totalChunks: session.totalChunks });
    }
    const expected = chunkLength(session, session.size, chunkIndex);
    if (expected > this.config.upload.maxChunkSize) {
      throw new UploadError(UploadErrorCode.ChunkTooLarge, `chunk ${chunkIndex} has ${expected} bytes, more than the ${this.config.upload.maxChunkSize} the chunk route takes; use the presigned URL`, { chunkIndex, expected, limit: this.config.upload.maxChunkSize });
    }
    const tooShort = body.requestLength !== undefined && body.requestLength < expected;
    if ((body.declaredLength !== undefined && body.declaredLength !== expected) || tooShort) {
      throw mismatch(chunkIndex, expected, body.declaredLength ?? body.requestLength);
    }
    return expected;
  }

  async receive(uploadId: string, ownerId: string, chunkIndex: number, body: ChunkBody): Promise<ChunkResultDto> {
    const session = await this.sessions.findOpen(uploadId, ownerId);
    const expected = this.expectedLength(session, chunkIndex, body);
    await this.uploads.snapshotOf(session);
    await this.progress.markUploading(uploadId, chunkIndex);

    // Both drivers let exactly `expected` bytes through and fail with LengthMismatch otherwise.
    let etag: string;
    try {
      etag = session.isChunked
        ? (await this.storage.uploadPart(session.storageKey, session.storageUploadId!, chunkIndex + 1, body.stream, expected)).etag
        : (await this.storage.putObject(session.storageKey, body.stream, expected, session.contentType)).etag;
    } catch (error) {
      body.stream.destroy();
      await this.progress.markFailed(uploadId, [chunkIndex]);
      if (error instanceof StorageError && error.code === StorageErrorCode.LengthMismatch) throw mismatch(chunkIndex, expected);
      this.logger.warn(`chunk ${chunkIndex} of ${uploadId} failed in storage: ${(error as Error).message}`);
      throw new UploadError(UploadErrorCode.StorageFailed, `Storage did not take chunk ${chunkIndex}; send it again or ask /retry for a URL`, { chunkIndex }, { cause: error });
    }
    await this.progress.markDone(uploadId, chunkIndex, expected);
    const snapshot = await this.uploads.snapshotOf(session);
    return { uploadId, chunkIndex, size: expected, etag, completedCount: snapshot.completedCount, totalChunks: snapshot.totalChunks, progress: snapshot.progress };
  }
}

function mismatch(chunkIndex: number, expected: number, received?: number): UploadError {
  return new UploadError(UploadErrorCode.ChunkLengthMismatch, `chunk ${chunkIndex} must be exactly ${expected} bytes`, { chunkIndex, expected, received: received ?? null });
}
