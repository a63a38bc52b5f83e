/**
 * Complete: every chunk in storage with its exact length, the multipart upload completed, the
 * object's size checked; then, in one transaction, the Video row and the closed session; then the
 * processing job and the removal of the Redis keys. POST /batch/complete/:uploadId. Completing again
 * answers the same video, and queues its processing again (a no-op while the job exists).
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { uploadsCompleted } from '#observability';
import { ProgressStore } from '#progress';
import {
  type CompletedPart,
  MAX_UPLOAD_SIZE,
  MIN_PART_SIZE,
  ObjectStorage,
  type ObjectHead,
  StorageError,
  StorageErrorCode,
  type StoredPart,
} from '#storage';
import { type UploadSession, UploadSessionRepository, type Video } from '#videos';
import { BatchNotifier } from '../events/batch-notifier.js';
import { ProgressSync } from '../progress-sync.js';
import { UploadError, UploadErrorCode, validationFailed } from '../upload-error.js';
import { UPLOAD_SETTINGS, type UploadSettings } from '../upload-settings.js';
import { assertNotAbandoned, UploadSessions } from '../upload-sessions.js';
import { VideoProcessingQueue } from '../video-processing.queue.js';
import { SHA256_HEX } from '../declared-sha256.js';

/** Listings tried when chunks keep replacing parts while the upload is completed. */
const COMPLETE_ATTEMPTS = 3;

export interface CompleteUploadCommand {
  uploadId: string;
  ownerId: string;
  /**
   * For an upload whose client sizes its parts: the parts to join, ascending, as S3's
   * CompleteMultipartUpload takes them (Uppy sends its list). Without it every stored part is joined.
   * Ignored for uploads init planned: their chunks are known.
   */
  parts?: readonly CompletedPart[];
  /**
   * Hex SHA-256 of the whole file declared now rather than at init (a client that hashes while it uploads):
   * the video keeps it for the worker to check. VALIDATION_FAILED when malformed or other than init's.
   */
  sha256?: string;
  /** The request's X-Request-Id, carried in the processing job to the worker's log lines. */
  requestId?: string;
}

/** What was joined: the object, and for a client-sized upload its part count. */
interface Assembled {
  head: ObjectHead;
  totalChunks?: number;
}

@Injectable()
export class CompleteUpload {
  private readonly logger = new Logger(CompleteUpload.name);

  constructor(
    @Inject(UPLOAD_SETTINGS) private readonly settings: UploadSettings,
    private readonly sessions: UploadSessions,
    private readonly sync: ProgressSync,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly queue: VideoProcessingQueue,
    private readonly notifier: BatchNotifier,
  ) {}

  /**
   * The video, status `uploaded` on its first completion. Throws UploadError: UPLOAD_NOT_FOUND,
   * UPLOAD_EXPIRED, UPLOAD_ABORTED, MISSING_PARTS (`details.missingChunks`; they are marked failed so that retry covers
   * them), SIZE_MISMATCH or MULTIPART_UPLOAD_NOT_FOUND (storage holds something else than announced);
   * for a client-sized upload also MISSING_PARTS (`details.missingParts`: listed parts storage does not
   * hold with that ETag) and VALIDATION_FAILED (a part but the last under S3's 5 MiB, too large a file;
   * a sha256 malformed or other than init's).
   */
  async execute({ uploadId, ownerId, parts, sha256, requestId }: CompleteUploadCommand): Promise<Video> {
    const session = await this.sessions.find(uploadId, ownerId);
    if (session.state !== 'completed') {
      assertNotAbandoned(session);
      const declaredSha256 = declaredHash(session, sha256);
      const { head, totalChunks } = await this.assembleObject(session, parts);
      const joined = totalChunks === undefined ? undefined : { size: head.size, totalChunks };
      const completed = await this.repository.completeWithVideo(
        session.id,
        {
          id: session.fileId,
          uploadId: session.id,
          channelId: session.channelId,
          ownerId: session.ownerId,
          filename: session.filename,
          size: head.size,
          contentType: session.contentType,
          storageKey: session.storageKey,
          etag: head.etag,
          declaredSha256,
        },
        joined,
      );
      if (completed.video === null) assertNotAbandoned({ ...session, state: completed.state });
      else if (completed.created) {
        this.logger.log(`upload ${uploadId} completed as video ${session.fileId}`);
        uploadsCompleted.inc();
        await this.notifier.uploadCompleted(session, completed.video, totalChunks ?? session.totalChunks);
      }
    }
    const video = await this.repository.findVideoByUploadId(uploadId);
    if (!video) throw new Error(`upload ${uploadId} is completed but has no video`);
    await this.queue.enqueue(video.id, requestId);
    await this.progress.remove(uploadId);
    return video;
  }

  /** Makes the object whole in storage and answers its head, or says which chunks are missing. */
  private async assembleObject(session: UploadSession, parts?: readonly CompletedPart[]): Promise<Assembled> {
    // An object already there was assembled by an earlier complete that stopped before the database.
    const existing = await this.storage.head(session.storageKey);
    if (session.partSizing === 'client') {
      const assembled = existing
        ? { head: existing, totalChunks: parts?.length ?? 1 }
        : await this.joinClientParts(session, parts);
      if (!assembled.head) throw multipartUploadNotFound(session);
      return { head: assembled.head, totalChunks: assembled.totalChunks };
    }
    const head = existing ?? (await this.completeMultipart(session));
    if (!head) throw multipartUploadNotFound(session);
    if (head.size !== session.size) {
      throw new UploadError(
        UploadErrorCode.SizeMismatch,
        `stored object has ${head.size} bytes, expected ${session.size}`,
        { expected: session.size, stored: head.size },
      );
    }
    return { head };
  }

  /**
   * Joins the parts a client chose (S3's rules: ascending part numbers, each stored with the ETag
   * given, every part but the last at least 5 MiB), or every stored part when it named none.
   */
  private async joinClientParts(
    session: UploadSession,
    given?: readonly CompletedPart[],
  ): Promise<{ head: ObjectHead | null; totalChunks: number }> {
    let stored: StoredPart[];
    try {
      stored = await this.storage.listParts(session.storageKey, session.multipartUploadId);
    } catch (error) {
      // A concurrent complete finished the multipart upload first: the object is there now.
      if (error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload)
        return { head: await this.storage.head(session.storageKey), totalChunks: given?.length ?? 1 };
      throw error;
    }
    const chosen = this.chooseClientParts(session, stored, given);
    try {
      await this.storage.completeMultipart(
        session.storageKey,
        session.multipartUploadId,
        chosen.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      );
    } catch (error) {
      if (!(error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload)) throw error;
    }
    return { head: await this.storage.head(session.storageKey), totalChunks: chosen.length };
  }

  private chooseClientParts(
    session: UploadSession,
    stored: StoredPart[],
    given?: readonly CompletedPart[],
  ): StoredPart[] {
    const byNumber = new Map(stored.map((p) => [p.partNumber, p]));
    const chosen = given ? given.map((p) => byNumber.get(p.partNumber)) : stored;
    const missingParts = given
      ? given
          .filter((p, i) => chosen[i] === undefined || unquoted(chosen[i].etag) !== unquoted(p.etag))
          .map((p) => p.partNumber)
      : [];
    if (missingParts.length > 0 || chosen.length === 0) {
      const message =
        chosen.length === 0
          ? 'Missing parts: no part is stored'
          : `Missing parts: storage does not hold parts ${missingParts.join(', ')} with the ETags given`;
      throw new UploadError(UploadErrorCode.MissingParts, message, { uploadId: session.id, missingParts });
    }
    const parts = chosen as StoredPart[];
    const problems = parts.flatMap((p, i) => {
      if (i > 0 && p.partNumber <= parts[i - 1].partNumber)
        return [
          { field: `parts.${i}.PartNumber`, problems: ['part numbers must ascend (S3 CompleteMultipartUpload)'] },
        ];
      if (i < parts.length - 1 && p.size < MIN_PART_SIZE)
        return [
          {
            field: `parts.${i}`,
            problems: [`part ${p.partNumber} has ${p.size} bytes; every part but the last needs ${MIN_PART_SIZE} (S3)`],
          },
        ];
      return [];
    });
    const size = parts.reduce((sum, p) => sum + p.size, 0);
    const limit = Math.min(this.settings.maxFileSize, MAX_UPLOAD_SIZE);
    if (size > limit) problems.push({ field: 'parts', problems: [`the file has ${size} bytes, more than ${limit}`] });
    if (problems.length > 0) throw validationFailed(problems);
    return parts;
  }

  private async completeMultipart(session: UploadSession): Promise<ObjectHead | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await this.sync.storedChunks(session);
        const missing = Array.from({ length: session.totalChunks }, (_, i) => i).filter((i) => !stored.has(i));
        if (missing.length > 0) await this.missing(session, missing);
        const parts = [...stored.values()].map((p) => ({ partNumber: p.partNumber, etag: p.etag }));
        await this.storage.completeMultipart(session.storageKey, session.multipartUploadId, parts);
        break;
      } catch (error) {
        if (!(error instanceof StorageError)) throw error;
        // A concurrent complete finished the multipart upload first: the object is there now.
        if (error.code === StorageErrorCode.NoSuchUpload) break;
        // A chunk sent meanwhile replaced a part after the listing (another ETag): list again.
        if (error.code !== StorageErrorCode.InvalidPart || attempt === COMPLETE_ATTEMPTS) throw error;
      }
    }
    return this.storage.head(session.storageKey);
  }

  /** Marks the chunks failed (so that retry covers them) and refuses the completion. */
  private async missing(session: UploadSession, missingChunks: number[]): Promise<never> {
    await this.sync.snapshotOf(session);
    await this.progress.markFailed(session.id, missingChunks);
    // A page that follows the batch's events learns it there too, as for any other chunk that failed.
    await this.notifier.chunkFailed(session, missingChunks, 'completion found it missing in storage');
    throw new UploadError(
      UploadErrorCode.MissingParts,
      `Missing parts: ${missingChunks.length} of ${session.totalChunks} chunks are not uploaded`,
      { missingChunks, totalChunks: session.totalChunks },
    );
  }
}

/** The hash the video is to be checked against: init's, or the one given now (VALIDATION_FAILED if they differ). */
function declaredHash(session: UploadSession, given?: string): string | null {
  if (given === undefined) return session.declaredSha256;
  const problem = !SHA256_HEX.test(given)
    ? 'sha256 must be 64 lowercase hex characters'
    : session.declaredSha256 !== null && session.declaredSha256 !== given
      ? `sha256 differs from the one declared at init (${session.declaredSha256})`
      : null;
  if (problem) throw validationFailed([{ field: 'sha256', problems: [problem] }]);
  return given;
}

function multipartUploadNotFound(session: UploadSession): UploadError {
  return new UploadError(UploadErrorCode.MultipartUploadNotFound, 'Multipart upload info not found', {
    uploadId: session.id,
  });
}

/** An ETag without the quotes S3 puts around it (clients send either form). */
function unquoted(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}
