/**
 * Write to a tus upload (tus core protocol, PATCH /api/v1/tus/:uploadId, and the body of a creation with
 * upload). The body streams into the spool file of the chunk being filled (tus/tus-spools.ts), never into
 * memory; each time the spool holds a whole chunk of the session's part plan, it goes to storage as that
 * part and the upload's tus offset moves past it in PostgreSQL. When the body ends, or breaks off, short
 * of a chunk's end, the spool goes to storage as the partial object (tusPartialKey) and the offset moves
 * to its end: what was delivered is kept (core protocol, "PATCH": the server SHOULD accept as much as
 * possible), and any API instance can go on from it. When the last chunk is stored, CompleteUpload makes
 * the Video row and queues its processing, as POST /complete does.
 *
 * One PATCH at a time per upload: a Redis lock with renewal (ProgressStore's write lock); a second PATCH
 * waits up to LOCK_WAIT_MS for it, then is answered 423 Locked (tus-js-client and Uppy retry 423). The
 * offset only moves by a compare-and-set in PostgreSQL, so a writer that lost its lock never moves it
 * back, nor past another writer.
 */
import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProgressStore } from '#progress';
import { chunkLength, ObjectStorage, StorageError, StorageErrorCode } from '#storage';
import { UploadSessionRepository } from '#videos';
import { ProgressSync } from '../progress-sync.js';
import type { UploadChecksum } from '../tus/tus-protocol.js';
import { type Spool, tusPartialKey, TusSpools } from '../tus/tus-spools.js';
import { type TusSession, type TusUpload, tusUpload } from '../tus/tus-upload.js';
import { UploadError, UploadErrorCode, uploadCompleted } from '../upload-error.js';
import { assertNotAbandoned, UploadSessions } from '../upload-sessions.js';
import { CompleteUpload } from './complete-upload.use-case.js';
import type { ChunkBody } from './receive-chunk.use-case.js';

/** The write lock lapses this long after its last renewal (a crashed API holds it no longer). */
const LOCK_TTL_MS = 30_000;
const LOCK_RENEW_MS = 10_000;
/** How long a PATCH waits for the PATCH before it (a client retrying one that broke off) before 423. */
const LOCK_WAIT_MS = 5_000;
const LOCK_POLL_MS = 100;

export interface WriteTusUploadCommand {
  uploadId: string;
  ownerId: string;
  /** Upload-Offset of the request: must be the upload's offset. */
  offset: number;
  body: ChunkBody;
  /** Upload-Checksum of the request, if any (checksum extension). */
  checksum?: UploadChecksum;
  /** The request's X-Request-Id: the processing job carries it when this write completes the upload. */
  requestId?: string;
}

@Injectable()
export class WriteTusUpload {
  private readonly logger = new Logger(WriteTusUpload.name);

  constructor(
    private readonly sessions: UploadSessions,
    private readonly repository: UploadSessionRepository,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly sync: ProgressSync,
    private readonly completeUpload: CompleteUpload,
    private readonly spools: TusSpools,
  ) {}

  /**
   * The upload after the body: its new offset, completed when the last byte arrived. Throws UploadError:
   * UPLOAD_NOT_FOUND, UPLOAD_COMPLETED, UPLOAD_EXPIRED, UPLOAD_ABORTED, UPLOAD_OFFSET_MISMATCH (409,
   * `details.offset` is the upload's), UPLOAD_TOO_LARGE (the body goes past Upload-Length), UPLOAD_LOCKED
   * (423), CHECKSUM_MISMATCH (460: nothing of the body is kept), STORAGE_FAILED (502: what was durable
   * stays), or the UploadError the front door failed the body with (REQUEST_TIMEOUT) after keeping what
   * arrived.
   */
  async execute(command: WriteTusUploadCommand): Promise<TusUpload> {
    try {
      return await this.write(command);
    } catch (error) {
      if (command.body.discard) await command.body.discard();
      else command.body.stream.destroy();
      throw error;
    }
  }

  private async write(command: WriteTusUploadCommand): Promise<TusUpload> {
    const { uploadId, ownerId, offset, body, checksum, requestId } = command;
    const before = await this.openSession(uploadId, ownerId);
    const declared = body.declaredLength;
    if (declared !== undefined && offset + declared > before.size) throw tooLarge(before, offset + declared);
    const token = randomUUID();
    await this.lock(uploadId, token);
    const renew = setInterval(
      () => void this.progress.extendLockWrite(uploadId, token, LOCK_TTL_MS).catch(() => undefined),
      LOCK_RENEW_MS,
    );
    try {
      const session = await this.openSession(uploadId, ownerId);
      if (session.tusOffset !== offset) {
        throw new UploadError(
          UploadErrorCode.UploadOffsetMismatch,
          `Upload-Offset is ${offset}, the upload's offset is ${session.tusOffset}: send from there (HEAD tells)`,
          { offset: session.tusOffset, requested: offset },
        );
      }
      if (!checksum) return await this.append(session, body.stream, requestId);
      const verified = await this.verified(session, body.stream, checksum, token);
      try {
        return await this.append(session, createReadStream(verified), requestId);
      } finally {
        await rm(verified, { force: true });
      }
    } finally {
      clearInterval(renew);
      await this.progress.unlockWrite(uploadId, token).catch(() => undefined);
    }
  }

  /** An open tus session; UPLOAD_COMPLETED, UPLOAD_ABORTED or UPLOAD_EXPIRED otherwise. */
  private async openSession(uploadId: string, ownerId: string): Promise<TusSession> {
    const session = await this.sessions.findTus(uploadId, ownerId);
    if (session.state === 'completed') throw uploadCompleted(uploadId);
    assertNotAbandoned(session);
    return session;
  }

  private async lock(uploadId: string, token: string): Promise<void> {
    for (const deadline = Date.now() + LOCK_WAIT_MS; ;) {
      if (await this.progress.tryLockWrite(uploadId, token, LOCK_TTL_MS)) return;
      if (Date.now() >= deadline) {
        throw new UploadError(
          UploadErrorCode.UploadLocked,
          'another PATCH of this upload is still being written; retry in a moment',
          { uploadId },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  /**
   * Streams the body into a temporary file while hashing it; answers the file's path when the digest is
   * the announced one. CHECKSUM_MISMATCH otherwise (the file is deleted, the offset untouched).
   */
  private async verified(
    session: TusSession,
    body: Readable,
    checksum: UploadChecksum,
    token: string,
  ): Promise<string> {
    const path = await this.spools.tempPath(`${session.id}.${token}`);
    const hash = createHash(checksum.algorithm);
    const room = session.size - session.tusOffset;
    let received = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > room) return done(tooLarge(session, session.tusOffset + received));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, hashing, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      throw error;
    }
    if (hash.digest().equals(checksum.digest)) return path;
    await rm(path, { force: true });
    throw new UploadError(
      UploadErrorCode.ChecksumMismatch,
      `the body does not match its Upload-Checksum (${checksum.algorithm}); nothing of it was kept`,
      { algorithm: checksum.algorithm },
    );
  }

  /** Appends the body at the session's offset (checked by the caller, under the lock). */
  private async append(session: TusSession, body: Readable, requestId?: string): Promise<TusUpload> {
    const writer = new ChunkWriter(session, this.storage, this.progress, this.repository);
    await this.sync.snapshotOf(session);
    const spool = await this.openSpool(session);
    let failure: Error | undefined;
    try {
      await writer.consume(body, spool);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
    }
    try {
      if (writer.lastChunkFull(spool) && !isTooLarge(failure))
        return await this.complete(session, writer, spool, requestId);
      if (failure && !isBodyFault(failure)) throw failure;
      await writer.keepPartial(spool);
      this.spools.keep(session.id, writer.committed);
      if (failure) throw failure;
      return tusUpload(session, writer.committed);
    } catch (error) {
      // What is not durable is dropped: the next PATCH goes on from the partial object.
      await spool.truncate(writer.committed - writer.chunkStart).then(
        () => this.spools.keep(session.id, writer.committed),
        () => undefined,
      );
      throw error;
    } finally {
      await spool.close();
    }
  }

  /** The spool of the chunk at the session's offset: this instance's own, or rebuilt from the partial object. */
  private async openSpool(session: TusSession): Promise<Spool> {
    const reused = await this.spools.reuse(session.id, session.tusOffset);
    if (reused) return reused;
    const held = session.tusOffset % session.chunkSize;
    if (held === 0) return this.spools.create(session.id);
    try {
      const spool = await this.spools.create(
        session.id,
        await this.storage.readRange(tusPartialKey(session.id), 0, held - 1),
      );
      if (spool.size === held) return spool;
      await spool.close();
      throw new Error(`the partial object has ${spool.size} bytes, the offset needs ${held}`);
    } catch (error) {
      await this.spools.forget(session.id);
      throw storageFailed(`the partial chunk of upload ${session.id} could not be read back`, error);
    }
  }

  /** Stores the last part, then CompleteUpload; the partial object and the spool go. */
  private async complete(
    session: TusSession,
    writer: ChunkWriter,
    spool: Spool,
    requestId?: string,
  ): Promise<TusUpload> {
    await writer.storePart(spool);
    try {
      await this.completeUpload.execute({ uploadId: session.id, ownerId: session.ownerId, requestId });
    } catch (error) {
      if (error instanceof UploadError) throw error;
      throw storageFailed(`upload ${session.id} could not be completed`, error);
    }
    await this.storage
      .delete(tusPartialKey(session.id))
      .catch((e: Error) => this.logger.warn(`partial object of ${session.id} not deleted: ${e.message}`));
    await this.spools.forget(session.id);
    return tusUpload({ ...session, state: 'completed' });
  }
}

/**
 * The byte arithmetic of one PATCH: fills the spool chunk by chunk, storing each full chunk but the last
 * as its part and committing the offset past it. `committed` is the durable offset at any time.
 */
class ChunkWriter {
  committed: number;
  private partialStored: boolean;

  constructor(
    private readonly session: TusSession,
    private readonly storage: ObjectStorage,
    private readonly progress: ProgressStore,
    private readonly repository: UploadSessionRepository,
  ) {
    this.committed = session.tusOffset;
    this.partialStored = session.tusOffset % session.chunkSize > 0;
  }

  get chunk(): number {
    return Math.floor(this.committed / this.session.chunkSize);
  }

  get chunkStart(): number {
    return this.chunk * this.session.chunkSize;
  }

  private get chunkLength(): number {
    return chunkLength(this.session, this.session.size, this.chunk);
  }

  lastChunkFull(spool: Spool): boolean {
    return this.chunk === this.session.totalChunks - 1 && spool.size === this.chunkLength;
  }

  /** Reads the body into the spool; every full chunk but the last goes to storage on the way. */
  async consume(body: Readable, spool: Spool): Promise<void> {
    await this.progress.markUploading(this.session.id, this.chunk);
    for await (const data of body) {
      let rest = data as Buffer;
      while (rest.length > 0) {
        const room = this.chunkLength - spool.size;
        if (room === 0) throw tooLarge(this.session, this.chunkStart + spool.size + rest.length);
        const piece = rest.subarray(0, room);
        rest = rest.subarray(piece.length);
        await spool.append(piece);
        if (spool.size === this.chunkLength && this.chunk < this.session.totalChunks - 1) {
          await this.storePart(spool);
          await this.commit(this.chunkStart + spool.size);
          await spool.truncate(0);
          if (this.partialStored) await this.dropPartial();
        }
      }
    }
  }

  /** The spool (a whole chunk) as its part; the chunk counts as done in the progress. */
  async storePart(spool: Spool): Promise<void> {
    const { storageKey, multipartUploadId } = this.session;
    try {
      await this.storage.uploadPart(storageKey, multipartUploadId, this.chunk + 1, await spool.read(), spool.size);
    } catch (error) {
      throw storageFailed(`storage did not take part ${this.chunk + 1}; send from Upload-Offset again`, error);
    }
    await this.progress.markDone(this.session.id, this.chunk, spool.size);
  }

  /** The spool's bytes beyond the durable offset, as the partial object; the offset moves to its end. */
  async keepPartial(spool: Spool): Promise<void> {
    if (this.chunkStart + spool.size <= this.committed) return;
    try {
      await this.storage.putObject(tusPartialKey(this.session.id), await spool.read(), spool.size);
    } catch (error) {
      throw storageFailed('storage did not take the partial chunk; send from Upload-Offset again', error);
    }
    this.partialStored = true;
    try {
      await this.commit(this.chunkStart + spool.size);
    } catch (error) {
      // Terminated or expired while this PATCH stored its bytes (a client that cancels mid-PATCH): the release
      // of the upload deleted the partial object before this one landed, and nothing else would.
      if (!(await this.repository.isOpen(this.session.id))) await this.dropPartial();
      throw error;
    }
  }

  private async commit(offset: number): Promise<void> {
    if (!(await this.repository.advanceTusOffset(this.session.id, this.committed, offset))) {
      throw new UploadError(
        UploadErrorCode.UploadLocked,
        'the upload changed while this PATCH was written (terminated, expired, or written by another PATCH)',
        { uploadId: this.session.id },
      );
    }
    this.committed = offset;
  }

  private async dropPartial(): Promise<void> {
    // A stale partial object is harmless: the offset says how much of it counts, and the next one replaces it.
    await this.storage.delete(tusPartialKey(this.session.id)).catch(() => undefined);
    this.partialStored = false;
  }
}

function tooLarge(session: TusSession, end: number): UploadError {
  return new UploadError(UploadErrorCode.UploadTooLarge, `the body goes past Upload-Length (${session.size} bytes)`, {
    length: session.size,
    end,
  });
}

function isTooLarge(error: unknown): boolean {
  return error instanceof UploadError && error.code === UploadErrorCode.UploadTooLarge;
}

/**
 * A body that failed on the client's side (it went away, stalled, or sent too much): what arrived is kept.
 * Storage failures and refusals are not.
 */
function isBodyFault(error: unknown): boolean {
  if (error instanceof UploadError)
    return (
      error.code === UploadErrorCode.RequestTimeout ||
      error.code === UploadErrorCode.ChunkLengthMismatch ||
      isTooLarge(error)
    );
  return !(error instanceof StorageError);
}

function storageFailed(message: string, cause: unknown): UploadError {
  if (cause instanceof UploadError) return cause;
  const noSuchUpload = cause instanceof StorageError && cause.code === StorageErrorCode.NoSuchUpload;
  return new UploadError(UploadErrorCode.StorageFailed, message, { noSuchUpload }, { cause });
}
