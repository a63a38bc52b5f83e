/**
 * ObjectStorage on the local file system: the embedded default for one machine without object storage
 * (like PeerTube's or Rails Active Storage's local disk). It behaves like S3 where the product can see
 * it: multipart uploads with 5 MiB parts, quoted MD5 ETags (S3-style multipart ETags), part URLs with
 * an exact length and an expiry that die with their upload. Its URLs point at the API, which mounts `serve()` at
 * `signedUrlBase`.
 */
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, ifMissing, isErrno, joinTemp, place, sweepTemp, writeTemp } from './disk-files.js';
import { DiskLayout, checkKey, newMultipartUploadId } from './disk-layout.js';
import {
  checkParts,
  multipartEtag,
  noSuchUpload,
  readUploadMeta,
  writeUploadMeta,
  type UploadMeta,
} from './disk-multipart.js';
import { serveDisk } from './disk-serve.js';
import { expiresAt, signDiskUrl, type DiskUrlClaims } from './disk-signing.js';
import { assertLength, assertPartNumber } from './exact-length.js';
import {
  ObjectStorage,
  type CompletedPart,
  type MultipartUploadInfo,
  type ObjectHead,
  type PartToSign,
  type StoredPart,
} from './object-storage.js';
import { promised } from './promised.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

/** Where the API serves `serve()`, below its public URL; the worker reads objects through it too. */
export const DISK_STORAGE_PATH = '/api/v1/storage/disk';

/**
 * Age after which a temporary file nobody touches is a leftover: far above the time a live write stays
 * idle (the API cuts a chunk body off after HTTP_BODY_IDLE_TIMEOUT_MS, 30 s by default).
 */
export const STALE_TEMP_MS = 10 * 60_000;

/** Where a multipart upload's folder goes while it is being completed. */
function sealedDir(uploadDir: string): string {
  return `${uploadDir}.completing`;
}

/** Longest a part or a listing waits for a complete in progress (joining a large file takes a while). */
const SEALED_WAIT_MS = 60_000;

/** Waits while a complete holds the upload's folder aside (see completeMultipart). */
async function settled(uploadDir: string): Promise<void> {
  const deadline = Date.now() + SEALED_WAIT_MS;
  while (Date.now() < deadline && (await stat(sealedDir(uploadDir)).catch(ifMissing(null))))
    await new Promise((resolve) => setTimeout(resolve, 50));
}

export interface DiskObjectStorageOptions {
  /** Folder holding objects, uploads in progress and temp files (created when missing). */
  root: string;
  /** Absolute URL where the API serves `serve()`, e.g. `http://localhost:3000/api/v1/storage/disk`. */
  signedUrlBase: string;
  /** HMAC key of the signed URLs; every process sharing `root` must use the same. */
  signingSecret: string;
  /** Told about unexpected failures in `serve()`, whose answer carries only the error id. */
  onServeError?: (error: unknown, errorId: string) => void;
}

export class DiskObjectStorage extends ObjectStorage {
  readonly driver = 'disk' as const;
  private readonly layout: DiskLayout;
  private ready?: Promise<unknown>;

  constructor(private readonly options: DiskObjectStorageOptions) {
    super();
    if (!options.signingSecret) throw new Error('DiskObjectStorage needs a signingSecret');
    this.layout = new DiskLayout(options.root);
  }

  /**
   * Handles a PUT, GET or HEAD of a signed URL; mount it at `signedUrlBase` with no body parsing.
   * `onServeError`, when given, is told of this request's unexpected failures instead of the option's.
   */
  serve(
    req: IncomingMessage,
    res: ServerResponse,
    onServeError: DiskObjectStorageOptions['onServeError'] = this.options.onServeError,
  ): Promise<void> {
    return serveDisk(this, { signingSecret: this.options.signingSecret, onServeError }, req, res);
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    checkKey(key);
    await this.init();
    const multipartUploadId = newMultipartUploadId();
    const dir = join(this.layout.multipart, multipartUploadId);
    await mkdir(dir);
    await writeUploadMeta(dir, { key, contentType });
    return multipartUploadId;
  }

  presignParts(
    key: string,
    multipartUploadId: string,
    parts: readonly PartToSign[],
    expiresIn: number,
  ): Promise<string[]> {
    return promised(() => {
      const expires = expiresAt(expiresIn);
      return parts.map(({ partNumber, contentLength }) => {
        assertPartNumber(partNumber);
        if (contentLength !== undefined) assertLength(contentLength);
        return this.sign({ op: 'part', key, multipartUploadId, partNumber, length: contentLength, expires });
      });
    });
  }

  presignGet(key: string, expiresIn: number): Promise<string> {
    return promised(() => this.sign({ op: 'get', key, expires: expiresAt(expiresIn) }));
  }

  async uploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    body: Readable,
    contentLength: number,
  ): Promise<StoredPart> {
    assertPartNumber(partNumber);
    assertLength(contentLength);
    const { dir } = await this.upload(key, multipartUploadId);
    await this.init();
    const temp = await writeTemp(body, contentLength, this.layout.tmpPath());
    const etag = `"${temp.md5Hex}"`;
    const path = this.layout.partPath(dir, partNumber);
    try {
      await place(temp, path, `${path}.json`, { etag }, false);
    } catch (error) {
      // The upload folder went away while the body streamed: completed or aborted meanwhile. Once a
      // complete in progress is done, the object is there, as with S3.
      if (isErrno(error, 'ENOENT')) {
        await settled(dir);
        throw noSuchUpload(multipartUploadId);
      }
      throw error;
    }
    return { partNumber, size: temp.size, etag };
  }

  async putObject(key: string, body: Readable, contentLength: number, contentType?: string): Promise<ObjectHead> {
    checkKey(key);
    assertLength(contentLength);
    await this.init();
    const temp = await writeTemp(body, contentLength, this.layout.tmpPath());
    const etag = `"${temp.md5Hex}"`;
    await place(temp, this.layout.objectPath(key), this.layout.objectMetaPath(key), { etag, contentType }, true);
    return { size: temp.size, etag, contentType };
  }

  async listParts(key: string, multipartUploadId: string): Promise<StoredPart[]> {
    // A complete may take the folder aside mid-listing: list again once it is done or undone.
    for (let attempt = 0; attempt < 3; attempt++) {
      const { dir } = await this.upload(key, multipartUploadId);
      const names = await readdir(dir).catch(ifMissing([] as string[]));
      const parts: StoredPart[] = [];
      for (const name of names) {
        const partNumber = this.layout.partNumberOf(name);
        if (partNumber === null) continue;
        const file = await describe(join(dir, name), join(dir, `${name}.json`));
        if (file) parts.push({ partNumber, size: file.size, etag: file.etag });
      }
      if (await readUploadMeta(dir)) return parts.sort((a, b) => a.partNumber - b.partNumber);
    }
    throw noSuchUpload(multipartUploadId);
  }

  /**
   * Like S3, atomic against uploadPart: the upload's folder is renamed aside first, so that a part that
   * arrives later finds no upload (NoSuchUpload), and one that arrived before is the one checked and
   * joined (InvalidPart when its ETag is not the one given). A concurrent complete joins the same folder.
   */
  async completeMultipart(key: string, multipartUploadId: string, parts: CompletedPart[]): Promise<void> {
    const { dir, meta, open } = await this.seal(key, multipartUploadId);
    const paths = await checkParts(this.layout, dir, parts).catch(async (error: unknown) => {
      // Not completed: the upload takes parts again (a concurrent complete may have unsealed it already).
      await rename(dir, open).catch(() => undefined);
      throw error;
    });
    await this.init();
    // A concurrent complete (or abort) may remove the parts while these are read: the upload is gone then.
    const temp = await joinTemp(paths, this.layout.tmpPath()).catch((error: unknown) => {
      throw isErrno(error, 'ENOENT') ? noSuchUpload(multipartUploadId) : error;
    });
    const etag = multipartEtag(parts);
    await place(
      temp,
      this.layout.objectPath(key),
      this.layout.objectMetaPath(key),
      { etag, contentType: meta.contentType },
      true,
    );
    await rm(dir, { recursive: true, force: true });
  }

  async listMultipartUploads(prefix: string): Promise<MultipartUploadInfo[]> {
    await this.init();
    const uploads: MultipartUploadInfo[] = [];
    for (const multipartUploadId of await readdir(this.layout.multipart)) {
      const dir = this.layout.uploadDir(multipartUploadId);
      // upload.json is written once, at creation: its time is the upload's.
      const meta = dir && (await readUploadMeta(dir));
      const info = meta && (await stat(join(dir, 'upload.json')).catch(ifMissing(null)));
      if (meta && info && meta.key.startsWith(prefix))
        uploads.push({ key: meta.key, multipartUploadId, initiated: info.mtime });
    }
    return uploads;
  }

  async abortMultipart(_key: string, multipartUploadId: string): Promise<void> {
    const dir = this.layout.uploadDir(multipartUploadId);
    if (!dir) return;
    await rm(dir, { recursive: true, force: true });
    await rm(sealedDir(dir), { recursive: true, force: true });
  }

  async head(key: string): Promise<ObjectHead | null> {
    const file = await describe(this.layout.objectPath(key), this.layout.objectMetaPath(key));
    return file && { size: file.size, etag: file.etag, contentType: file.contentType };
  }

  async readRange(key: string, start: number, end?: number): Promise<Readable> {
    assertLength(start);
    if (end !== undefined && (!Number.isSafeInteger(end) || end < start))
      throw new RangeError(`bad range end ${end} for start ${start}`);
    // Opening first turns a missing object into NotFound here, not into an error event later.
    const handle = await open(this.layout.objectPath(key), 'r').catch(ifMissing(null));
    if (!handle) throw new StorageError(StorageErrorCode.NotFound, `no object ${key}`);
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      throw new StorageError(StorageErrorCode.NotFound, `no object ${key}`);
    }
    const size = info.size;
    if (start > 0 && start >= size) {
      await handle.close();
      throw new RangeError(`range start ${start} is beyond the object's ${size} bytes`);
    }
    return handle.createReadStream({ start, end });
  }

  async delete(key: string): Promise<void> {
    await unlink(this.layout.objectPath(key)).catch(ifMissing(undefined));
    await unlink(this.layout.objectMetaPath(key)).catch(ifMissing(undefined));
  }

  private sign(claims: DiskUrlClaims): string {
    checkKey(claims.key);
    return signDiskUrl(this.options.signedUrlBase, this.options.signingSecret, claims);
  }

  /**
   * Creates the folders and removes temporary files nobody writes any more: left by a process that
   * stopped mid-write. Call once at start-up; files touched within STALE_TEMP_MS are kept, since
   * another process on the same root (the worker, another API) may be writing them.
   */
  async start(): Promise<void> {
    await this.init();
    await sweepTemp(this.layout.tmp, STALE_TEMP_MS);
  }

  private init(): Promise<unknown> {
    this.ready ??= Promise.all(
      [this.layout.objects, this.layout.meta, this.layout.multipart, this.layout.tmp].map((d) =>
        mkdir(d, { recursive: true }),
      ),
    );
    return this.ready;
  }

  /** Renames the upload's folder aside (or finds it renamed by a concurrent complete): `dir` is where it is now. */
  private async seal(key: string, multipartUploadId: string): Promise<{ dir: string; meta: UploadMeta; open: string }> {
    checkKey(key);
    const open = this.layout.uploadDir(multipartUploadId);
    if (!open) throw noSuchUpload(multipartUploadId);
    const dir = sealedDir(open);
    await rename(open, dir).catch(ifMissing(undefined));
    const meta = await readUploadMeta(dir);
    if (!meta || meta.key !== key) throw noSuchUpload(multipartUploadId);
    return { dir, meta, open };
  }

  /** The upload's folder and meta, after checking the upload exists and belongs to `key`. */
  private async upload(key: string, multipartUploadId: string): Promise<{ dir: string; meta: UploadMeta }> {
    checkKey(key);
    const dir = this.layout.uploadDir(multipartUploadId);
    if (dir) await settled(dir);
    const meta = dir && (await readUploadMeta(dir));
    if (!dir || !meta || meta.key !== key) throw noSuchUpload(multipartUploadId);
    return { dir, meta };
  }
}
