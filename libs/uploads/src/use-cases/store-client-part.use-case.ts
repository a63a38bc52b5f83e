/**
 * Stores one part of an upload whose client sizes it, sent through the API rather than to a presigned
 * URL: the file Uppy's S3 plugin posts whole (its non-multipart path, a form to the URL of
 * `GET /s3/params`) is part 1 of its upload. The body streams into storage; it is never held in memory.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { ProgressStore } from '#progress';
import { MAX_PART_SIZE, ObjectStorage, type StoredPart } from '#storage';
import { UploadError, UploadErrorCode } from '../upload-error.js';
import { UploadSessions } from '../upload-sessions.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';

export interface StoreClientPartCommand {
  uploadId: string;
  ownerId: string;
  /** 1-based. */
  partNumber: number;
  /** Exactly `length` bytes. */
  body: Readable;
  /** Bytes. */
  length: number;
}

@Injectable()
export class StoreClientPart {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly sessions: UploadSessions,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  /**
   * The stored part. Throws UploadError as SignClientParts does, and CHUNK_TOO_LARGE above the largest
   * file or S3's largest part (5 GiB); a storage failure is thrown as it is.
   */
  async execute({ uploadId, ownerId, partNumber, body, length }: StoreClientPartCommand): Promise<StoredPart> {
    const session = await this.sessions.findOpen(uploadId, ownerId, 'client');
    const limit = Math.min(this.settings.maxFileSize, MAX_PART_SIZE);
    if (length > limit)
      throw new UploadError(UploadErrorCode.ChunkTooLarge, `a file sent whole has at most ${limit} bytes`, { limit });
    const part = await this.storage.uploadPart(session.storageKey, session.multipartUploadId, partNumber, body, length);
    await this.progress.markDone(uploadId, partNumber - 1, part.size);
    return part;
  }
}
