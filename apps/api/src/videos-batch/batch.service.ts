/**
 * Starts batches and hands out presigned URLs: init creates one upload session per file (a multipart
 * upload for large files), retry re-signs just the chunks that failed.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '#config';
import { ProgressStore } from '#progress';
import { chunkLength, MAX_UPLOAD_SIZE, ObjectStorage, planUpload } from '#storage';
import { type NewUploadSession, type UploadSession, UploadSessionRepository } from '#videos';
import { type AuthUser, mayUploadTo } from '../auth/auth-user.js';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import { type FieldProblem, validationFailed } from '../common/validation.js';
import type { FileMetadataDto, InitBatchDto } from './dto/init-batch.dto.js';
import type { RetryUrlDto } from './dto/retry-url.dto.js';
import type { UploadSessionDto } from './dto/upload-session.dto.js';
import { UploadProgressService } from './upload-progress.service.js';
import { UploadSessionsService } from './upload-sessions.service.js';
import { videoTypeOf } from './video-types.js';

@Injectable()
export class BatchService {
  private readonly logger = new Logger(BatchService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: UploadSessionRepository,
    private readonly sessions: UploadSessionsService,
    private readonly uploads: UploadProgressService,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
  ) {}

  async init(dto: InitBatchDto, user: AuthUser): Promise<UploadSessionDto[]> {
    if (!mayUploadTo(user, dto.channel_id)) {
      throw new UploadError(UploadErrorCode.ChannelForbidden, `you may not upload to channel ${dto.channel_id}`, { channelId: dto.channel_id });
    }
    const types = this.checkLimits(dto.files);
    const batchId = randomUUID();
    const now = Date.now();
    const urlsExpireAt = new Date(this.urlsExpireAt(now));
    const expiresAt = new Date(now + this.config.upload.sessionTtlSeconds * 1000);
    const created: NewUploadSession[] = [];
    let signing: Promise<string[][]>;
    try {
      const planned = dto.files.map((file, i) => {
        const fileId = randomUUID();
        // Server-made key: the filename never reaches storage.
        const storageKey = `videos/${fileId}/source`;
        return { id: randomUUID(), batchId, fileId, channelId: dto.channel_id, ownerId: user.id, filename: file.filename, size: file.size, contentType: types[i], storageKey, ...planUpload(file.size, this.config.upload), urlsExpireAt, expiresAt };
      });
      // The multipart uploads start side by side: one storage round trip for the whole batch. Each
      // file's URLs are signed as soon as its upload exists (CPU work: thousands of URLs for large
      // files), while the others are still being created and then while PostgreSQL records the batch.
      // A refused batch drops the URLs unused.
      const creating = planned.map((s) => (s.isChunked ? this.storage.createMultipart(s.storageKey, s.contentType) : Promise.resolve(null)));
      signing = Promise.all(creating.map((uploadId, i) => uploadId.then((id) => this.signChunks({ ...planned[i], storageUploadId: id }, Array.from({ length: planned[i].totalChunks }, (_, j) => j)))));
      signing.catch(() => undefined);
      const started = await Promise.allSettled(creating);
      started.forEach((r, i) => r.status === 'fulfilled' && created.push({ ...planned[i], storageUploadId: r.value }));
      const failure = started.find((r) => r.status === 'rejected');
      if (failure) throw failure.reason;
      const max = this.config.limits.maxOpenSessionsPerUser;
      if (!(await this.repository.createBatch({ id: batchId, channelId: dto.channel_id, ownerId: user.id }, created, max))) {
        throw new UploadError(UploadErrorCode.TooManyOpenUploads, `you have too many open uploads (at most ${max}); complete some or let them expire`, { limit: max });
      }
    } catch (error) {
      await this.abandon(created);
      throw error;
    }
    const [urls] = await Promise.all([
      signing,
      Promise.all(created.map((s) => this.progress.init({ uploadId: s.id, filename: s.filename, ownerId: user.id, totalChunks: s.totalChunks, size: s.size, expiresAt: expiresAt.getTime(), urlsExpireAt: urlsExpireAt.getTime() }))),
    ]);
    return created.map((s, i) => ({ uploadId: s.id, fileId: s.fileId, batchId, filename: s.filename, size: s.size, isChunked: s.isChunked, chunkSize: s.chunkSize, totalChunks: s.totalChunks, presignedUrls: urls[i], expiresAt: urlsExpireAt.toISOString(), status: 'initialized' as const }));
  }

  async retry(uploadId: string, ownerId: string): Promise<RetryUrlDto[]> {
    const session = await this.sessions.findOpen(uploadId, ownerId);
    await this.uploads.snapshotOf(session);
    const snapshot = await this.uploads.syncWithStorage(session);
    const failed = snapshot?.failedChunks ?? [];
    if (failed.length === 0) return [];
    const expiresAt = this.urlsExpireAt(Date.now());
    const signed = await this.signChunks(session, failed);
    const urls = failed.map((chunkIndex, i) => ({ chunkIndex, url: signed[i], expiresAt: new Date(expiresAt).toISOString() }));
    await this.progress.markRetrying(uploadId, failed, expiresAt);
    return urls;
  }

  /**
   * When URLs signed from `now` on stop working, at the latest: SigV4 dates a URL to the second it is
   * signed in, and its expiry counts from that second.
   */
  private urlsExpireAt(now: number): number {
    return Math.floor(now / 1000) * 1000 + this.config.upload.urlTtlSeconds * 1000;
  }

  /** Presigned PUT URLs of these chunks, in their order: part URLs in one call, or the whole file's URL. */
  private async signChunks(s: Pick<UploadSession, 'storageKey' | 'storageUploadId' | 'isChunked' | 'chunkSize' | 'totalChunks' | 'size' | 'contentType'>, indices: number[]): Promise<string[]> {
    const expiresIn = this.config.upload.urlTtlSeconds;
    if (!s.isChunked) return Promise.all(indices.map(() => this.storage.presignPut(s.storageKey, { contentLength: s.size, contentType: s.contentType, expiresIn })));
    const parts = indices.map((i) => ({ partNumber: i + 1, contentLength: chunkLength(s, s.size, i) }));
    return this.storage.presignParts(s.storageKey, s.storageUploadId!, parts, expiresIn);
  }

  /** Checks the limits that depend on configuration; answers each file's video MIME type. */
  private checkLimits(files: FileMetadataDto[]): string[] {
    const { maxFiles, maxFileSize } = this.config.upload;
    const problems: FieldProblem[] = [];
    if (files.length > maxFiles) problems.push({ field: 'files', problems: [`a batch holds at most ${maxFiles} files, got ${files.length}`] });
    const limit = Math.min(maxFileSize, MAX_UPLOAD_SIZE);
    const types = files.map((f, i) => {
      if (f.size > limit) problems.push({ field: `files.${i}.size`, problems: [`size must not exceed ${limit} bytes`] });
      const type = f.type?.toLowerCase() ?? videoTypeOf(f.filename);
      if (!type) problems.push({ field: `files.${i}.type`, problems: ['type is missing and the filename extension is not a known video type'] });
      return type ?? '';
    });
    if (problems.length > 0) throw validationFailed(problems);
    return types;
  }

  /** Init failed half-way: drop the multipart uploads already created so that nothing is billed. */
  private async abandon(created: NewUploadSession[]): Promise<void> {
    for (const s of created) {
      if (!s.storageUploadId) continue;
      await this.storage.abortMultipart(s.storageKey, s.storageUploadId).catch((e: Error) => this.logger.warn(`abort of ${s.storageKey} failed: ${e.message}`));
    }
  }
}
