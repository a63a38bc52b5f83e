/**
 * Start an upload whose client chooses the part sizes: what Uppy's S3 plugin asks of its Companion
 * endpoint (`POST /s3/multipart` and, for a file sent whole, `GET /s3/params`), neither of which says
 * how big the file is. The upload is a session of its own batch, a multipart upload in storage like
 * every other; its size is learned from the parts at completion.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { uploadsStarted } from '#observability';
import { ProgressStore } from '#progress';
import { MAX_PARTS, ObjectStorage } from '#storage';
import { type UploadSession, UploadSessionRepository } from '#videos';
import { recordedContentType } from '../content-types.js';
import { urlsExpireAt } from '../part-urls.js';
import { sourceKey } from '../storage-keys.js';
import { channelForbidden, tooManyOpenUploads, validationFailed } from '../upload-error.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';
import { mayUploadTo, type Uploader } from '../uploader.js';

export interface StartClientSizedUploadCommand {
  uploader: Uploader;
  channelId: string;
  /** Display name only; never part of a storage key. */
  filename: string;
  /** A hint, as for init (content-types.ts). */
  type?: string;
}

@Injectable()
export class StartClientSizedUpload {
  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  /**
   * The open session. Throws UploadError: CHANNEL_FORBIDDEN, VALIDATION_FAILED (a type that is no
   * video), TOO_MANY_OPEN_UPLOADS; a storage failure is thrown as it is.
   */
  async execute({ uploader, channelId, filename, type }: StartClientSizedUploadCommand): Promise<UploadSession> {
    if (!mayUploadTo(uploader, channelId)) {
      throw channelForbidden(channelId);
    }
    const contentType = recordedContentType(type, filename);
    if (contentType === null) {
      const problem = `type ${JSON.stringify(type)} is not a video type: send a video/* type, application/octet-stream or ""`;
      throw validationFailed([{ field: 'type', problems: [problem] }]);
    }
    const now = Date.now();
    const fileId = randomUUID();
    const storageKey = sourceKey(fileId);
    const multipartUploadId = await this.storage.createMultipart(storageKey, contentType);
    const session = {
      id: randomUUID(),
      batchId: randomUUID(),
      fileId,
      channelId,
      ownerId: uploader.id,
      filename,
      size: 0,
      contentType,
      storageKey,
      multipartUploadId,
      chunkSize: 0,
      totalChunks: 0,
      partSizing: 'client' as const,
      tusOffset: null,
      tusMetadata: null,
      urlsExpireAt: urlsExpireAt(now, this.settings.urlTtlSeconds),
      expiresAt: new Date(now + this.settings.sessionTtlSeconds * 1000),
    };
    const max = this.settings.maxOpenSessionsPerUser;
    const recorded = await this.repository
      .createBatch({ id: session.batchId, channelId, ownerId: uploader.id }, [session], max)
      .catch(async (error: unknown) => {
        await this.storage.abortMultipart(storageKey, multipartUploadId).catch(() => undefined);
        throw error;
      });
    if (!recorded) {
      await this.storage.abortMultipart(storageKey, multipartUploadId).catch(() => undefined);
      throw tooManyOpenUploads(max);
    }
    uploadsStarted.inc({ via: 'uppy' });
    // Progress counts bytes and parts as storage lists them; the size is unknown until completion.
    await this.progress.init({
      uploadId: session.id,
      filename,
      ownerId: uploader.id,
      totalChunks: MAX_PARTS,
      size: 0,
      expiresAt: session.expiresAt.getTime(),
      urlsExpireAt: session.urlsExpireAt.getTime(),
    });
    const created = await this.repository.findSession(session.id);
    if (!created) throw new Error(`session ${session.id} was recorded but cannot be read`);
    return created;
  }
}
