/**
 * Create a tus upload (tus "Creation" extension, POST /api/v1/tus): one Reelay upload session of the
 * caller, made by InitBatch exactly as init makes a batch of one file (same checks, same part plan), but
 * with no part URL signed: its bytes come through the tus PATCHes (WriteTusUpload).
 */
import { Inject, Injectable } from '@nestjs/common';
import { MAX_UPLOAD_SIZE } from '#storage';
import type { TusUpload } from '../tus/tus-upload.js';
import { UploadError, UploadErrorCode } from '../upload-error.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';
import type { Uploader } from '../uploader.js';
import { type FileToUpload, InitBatch } from './init-batch.use-case.js';

export interface CreateTusUploadCommand {
  uploader: Uploader;
  channelId: string;
  /** From Upload-Length and the metadata's filename and filetype. */
  file: FileToUpload;
  /** The Upload-Metadata header as sent (HEAD answers it). */
  metadata: string;
}

/** Tus-Max-Size: the largest Upload-Length taken (bytes), UPLOAD_MAX_FILE_BYTES within S3's limit. */
export function tusMaxSize(settings: Pick<UploadSettings, 'maxFileSize'>): number {
  return Math.min(settings.maxFileSize, MAX_UPLOAD_SIZE);
}

@Injectable()
export class CreateTusUpload {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly initBatch: InitBatch,
  ) {}

  /**
   * The new upload, at offset 0. Throws UploadError: UPLOAD_TOO_LARGE (above tusMaxSize: the creation
   * extension's 413), and whatever InitBatch throws (CHANNEL_FORBIDDEN, VALIDATION_FAILED,
   * TOO_MANY_OPEN_UPLOADS, a storage failure).
   */
  async execute({ uploader, channelId, file, metadata }: CreateTusUploadCommand): Promise<TusUpload> {
    const max = tusMaxSize(this.settings);
    if (file.size > max) {
      throw new UploadError(UploadErrorCode.UploadTooLarge, `Upload-Length must not exceed ${max} bytes`, {
        limit: max,
        length: file.size,
      });
    }
    const [upload] = await this.initBatch.execute({ uploader, channelId, files: [file], tus: { metadata } });
    return {
      uploadId: upload.uploadId,
      length: upload.size,
      offset: 0,
      metadata,
      expiresAt: upload.urlsExpireAt,
      completed: false,
    };
  }
}
