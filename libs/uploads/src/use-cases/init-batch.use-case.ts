/**
 * Init: starts a batch of up to UPLOAD_MAX_FILES files, one upload session per file, each a multipart
 * upload in storage (a file of at most UPLOAD_SINGLE_MAX_BYTES is its one part), and answers the
 * presigned URL of every chunk. ("Batch Upload for Frontend", POST /batch/init.)
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { uploadsStarted } from '#observability';
import { ProgressStore } from '#progress';
import { MAX_UPLOAD_SIZE, ObjectStorage, planUpload } from '#storage';
import { type NewUploadSession, UploadSessionRepository } from '#videos';
import { PartUrls, urlsExpireAt } from '../part-urls.js';
import { sourceKey } from '../storage-keys.js';
import { channelForbidden, type FieldProblem, tooManyOpenUploads, validationFailed } from '../upload-error.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';
import { mayUploadTo, type Uploader } from '../uploader.js';
import { recordedContentType } from '../content-types.js';
import { SHA256_HEX } from '../declared-sha256.js';

export interface FileToUpload {
  /** Display name only; never part of a storage key. */
  filename: string;
  /** Bytes. */
  size: number;
  /** A hint: a video/* type (parameters allowed), application/octet-stream, "" or absent (see content-types.ts). */
  type?: string;
  /**
   * Hex SHA-256 of the whole file (64 lowercase hex characters), when the client declares one: the worker
   * fails the video with CHECKSUM_MISMATCH when the stored object hashes otherwise.
   */
  sha256?: string;
}

export interface InitBatchCommand {
  uploader: Uploader;
  channelId: string;
  files: readonly FileToUpload[];
  /**
   * Set for a tus upload (CreateTusUpload): the sessions take their bytes through the tus routes only, so
   * no part URL is signed (presignedUrls is empty and nothing expires before the session), and they keep
   * the creation's Upload-Metadata header as sent.
   */
  tus?: { metadata: string };
}

/** How to upload one file of the batch. */
export interface InitializedUpload {
  uploadId: string;
  /** The id the video gets once the upload is completed. */
  fileId: string;
  batchId: string;
  filename: string;
  size: number;
  contentType: string;
  /** False when the file goes up whole, with one PUT to its one URL. */
  isChunked: boolean;
  /** Chunk i is bytes [i * chunkSize, min(size, (i + 1) * chunkSize)). */
  chunkSize: number;
  totalChunks: number;
  /** presignedUrls[i] takes chunk i (part i + 1) with one PUT of exactly its bytes; empty for tus. */
  presignedUrls: string[];
  urlsExpireAt: Date;
  status: 'initialized';
}

@Injectable()
export class InitBatch {
  private readonly logger = new Logger(InitBatch.name);

  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly partUrls: PartUrls,
  ) {}

  /**
   * The uploads of the batch, in the order of `files`. Throws UploadError: CHANNEL_FORBIDDEN,
   * VALIDATION_FAILED (too many files, too large, no video type, a malformed sha256), TOO_MANY_OPEN_UPLOADS; a storage
   * failure is thrown as it is, after the multipart uploads already created are aborted.
   */
  async execute({ uploader, channelId, files, tus }: InitBatchCommand): Promise<InitializedUpload[]> {
    if (!mayUploadTo(uploader, channelId)) {
      throw channelForbidden(channelId);
    }
    const types = this.checkFiles(files);
    const batchId = randomUUID();
    const now = Date.now();
    const expiresAt = new Date(now + this.settings.sessionTtlSeconds * 1000);
    const plans = files.map((file) => planUpload(file.size, this.settings));
    const planned = files.map((file, i) => {
      const fileId = randomUUID();
      const { chunkSize, totalChunks } = plans[i];
      const base = {
        id: randomUUID(),
        batchId,
        fileId,
        channelId,
        ownerId: uploader.id,
        filename: file.filename,
        size: file.size,
        position: i,
        declaredSha256: file.sha256 ?? null,
      };
      return {
        ...base,
        contentType: types[i],
        storageKey: sourceKey(fileId),
        chunkSize,
        totalChunks,
        urlsExpireAt: tus ? expiresAt : urlsExpireAt(now, this.settings.urlTtlSeconds),
        expiresAt,
        tusOffset: tus ? 0 : null,
        tusMetadata: tus ? tus.metadata : null,
      };
    });
    const sessions = await this.createMultipartUploads(planned);
    const max = this.settings.maxOpenSessionsPerUser;
    // The URLs are signed while PostgreSQL records the batch; a refused batch drops them unused.
    const signing = Promise.all(
      sessions.map((s) =>
        tus
          ? Promise.resolve({ urls: [], expiresAt: s.urlsExpireAt })
          : this.partUrls.sign(s, allChunks(s.totalChunks)),
      ),
    );
    const [recorded, signed] = await Promise.all([
      this.repository.createBatch({ id: batchId, channelId, ownerId: uploader.id }, sessions, max),
      signing,
    ]).catch(async (error: unknown) => {
      await this.abandon(sessions);
      throw error;
    });
    if (!recorded) {
      await this.abandon(sessions);
      throw tooManyOpenUploads(max);
    }
    uploadsStarted.inc({ via: tus ? 'tus' : 'batch' }, sessions.length);
    await Promise.all(
      sessions.map((s) =>
        this.progress.init({
          uploadId: s.id,
          filename: s.filename,
          ownerId: s.ownerId,
          totalChunks: s.totalChunks,
          size: s.size,
          expiresAt: expiresAt.getTime(),
          urlsExpireAt: s.urlsExpireAt.getTime(),
        }),
      ),
    );
    return sessions.map((s, i) => ({
      uploadId: s.id,
      fileId: s.fileId,
      batchId,
      filename: s.filename,
      size: s.size,
      contentType: s.contentType,
      isChunked: plans[i].isChunked,
      chunkSize: s.chunkSize,
      totalChunks: s.totalChunks,
      presignedUrls: signed[i].urls,
      urlsExpireAt: signed[i].expiresAt,
      status: 'initialized' as const,
    }));
  }

  /** The limits that depend on configuration; answers the type each file is recorded with. */
  private checkFiles(files: readonly FileToUpload[]): string[] {
    const { maxFiles, maxFileSize } = this.settings;
    const problems: FieldProblem[] = [];
    if (files.length > maxFiles)
      problems.push({ field: 'files', problems: [`a batch holds at most ${maxFiles} files, got ${files.length}`] });
    const limit = Math.min(maxFileSize, MAX_UPLOAD_SIZE);
    const types = files.map((f, i) => {
      if (f.size > limit)
        problems.push({ field: `files.${i}.size`, problems: [`size must not exceed ${limit} bytes`] });
      const type = recordedContentType(f.type, f.filename);
      if (type === null) {
        const problem = `type ${JSON.stringify(f.type)} is not a video type: send a video/* type, application/octet-stream or ""`;
        problems.push({ field: `files.${i}.type`, problems: [problem] });
      }
      if (f.sha256 !== undefined && !SHA256_HEX.test(f.sha256))
        problems.push({ field: `files.${i}.sha256`, problems: ['sha256 must be 64 lowercase hex characters'] });
      return type ?? '';
    });
    if (problems.length > 0) throw validationFailed(problems);
    return types;
  }

  /** Every file's multipart upload, side by side; when one cannot be created, the others are aborted. */
  private async createMultipartUploads(
    planned: Omit<NewUploadSession, 'multipartUploadId'>[],
  ): Promise<NewUploadSession[]> {
    const started = await Promise.allSettled(
      planned.map((s) => this.storage.createMultipart(s.storageKey, s.contentType)),
    );
    const created = planned.flatMap((s, i) => {
      const result = started[i];
      return result.status === 'fulfilled' ? [{ ...s, multipartUploadId: result.value }] : [];
    });
    const failure = started.find((r) => r.status === 'rejected');
    if (failure) {
      await this.abandon(created);
      throw failure.reason;
    }
    return created;
  }

  /** Init failed half-way: drop the multipart uploads already created so that nothing is billed. */
  private async abandon(created: NewUploadSession[]): Promise<void> {
    for (const s of created) {
      await this.storage
        .abortMultipart(s.storageKey, s.multipartUploadId)
        .catch((e: Error) => this.logger.warn(`abort of ${s.storageKey} failed: ${e.message}`));
    }
  }
}

/** The 0-based indices of every chunk of an upload. */
function allChunks(totalChunks: number): number[] {
  return Array.from({ length: totalChunks }, (_, i) => i);
}
