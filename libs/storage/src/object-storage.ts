/**
 * ObjectStorage: the one interface the product uses to talk to object storage.
 *
 * Two drivers implement it: `S3ObjectStorage` (Storj or any S3-compatible service through the AWS SDK)
 * and `DiskObjectStorage` (the embedded default for one machine). Every upload is an S3 multipart
 * upload, a small file one of a single part; whole objects are only written by the server itself
 * (thumbnails). Keys are always made by the server; nothing here sees a user's filename, and no SDK
 * type leaks through this interface.
 */
import type { Readable } from 'node:stream';

export interface StoredPart {
  /** 1-based S3 part number. */
  partNumber: number;
  /** Bytes. */
  size: number;
  /** Quoted, as S3 answers it. */
  etag: string;
}

export interface ObjectHead {
  /** Bytes. */
  size: number;
  etag: string;
  contentType?: string;
}

export interface CompletedPart {
  partNumber: number;
  etag: string;
}

/** A multipart upload in progress (neither completed nor aborted). */
export interface MultipartUploadInfo {
  key: string;
  multipartUploadId: string;
  /** When CreateMultipartUpload ran. */
  initiated: Date;
}

export interface PartToSign {
  /** 1-based S3 part number. */
  partNumber: number;
  /**
   * Exact body length in bytes the URL accepts: storage refuses any other. Absent for a part whose size
   * the client chooses (Uppy's S3 plugin): the URL then takes any length up to MAX_PART_SIZE (5 GiB).
   */
  contentLength?: number;
}

export abstract class ObjectStorage {
  /** Driver name, for logs and health output. */
  abstract readonly driver: 'disk' | 's3';

  /**
   * Starts a multipart upload of `key` and answers its multipartUploadId. The object gets
   * `contentType` when the upload is completed; no part URL signs a type.
   */
  abstract createMultipart(key: string, contentType: string): Promise<string>;

  /**
   * URLs that upload these parts of a multipart upload with one PUT each, in the order given; each
   * signs its part's exact Content-Length when one is given. They stop working at `expiresIn` seconds, and at once when
   * the upload is completed or aborted (S3 answers NoSuchUpload).
   */
  abstract presignParts(
    key: string,
    multipartUploadId: string,
    parts: readonly PartToSign[],
    expiresIn: number,
  ): Promise<string[]>;

  /** A URL that reads the object for `expiresIn` seconds (Range requests included). */
  abstract presignGet(key: string, expiresIn: number): Promise<string>;

  /**
   * Streams `body` into storage as part `partNumber`. The body must deliver exactly `contentLength`
   * bytes, or the call fails with StorageError(LengthMismatch) and the part is not stored. Uploading a
   * part again replaces it. StorageError(NoSuchUpload) when the upload is completed or aborted.
   */
  abstract uploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    body: Readable,
    contentLength: number,
  ): Promise<StoredPart>;

  /** Streams `body` (exactly `contentLength` bytes) into storage as the whole object. */
  abstract putObject(key: string, body: Readable, contentLength: number, contentType?: string): Promise<ObjectHead>;

  /** Every part whose upload finished, ordered by part number. Throws StorageError(NoSuchUpload). */
  abstract listParts(key: string, multipartUploadId: string): Promise<StoredPart[]>;

  /**
   * Joins the given parts, in ascending part order, into the object. S3's rules apply: every part but
   * the last has at least 5 MiB. Throws StorageError(NoSuchUpload | InvalidPart).
   */
  abstract completeMultipart(key: string, multipartUploadId: string, parts: CompletedPart[]): Promise<void>;

  /**
   * Every multipart upload in progress whose key starts with `prefix` (S3 ListMultipartUploads, all
   * pages), in no particular order. The cleanup uses it to find uploads that no session records.
   */
  abstract listMultipartUploads(prefix: string): Promise<MultipartUploadInfo[]>;

  /** Drops a multipart upload and its parts. Aborting an unknown upload is not an error. */
  abstract abortMultipart(key: string, multipartUploadId: string): Promise<void>;

  /** Size and ETag of an object, or null when there is none. */
  abstract head(key: string): Promise<ObjectHead | null>;

  /** Bytes [start, end] (inclusive) of the object, or from start to its end when end is omitted. */
  abstract readRange(key: string, start: number, end?: number): Promise<Readable>;

  /** Deletes the object; deleting a missing object is not an error. */
  abstract delete(key: string): Promise<void>;
}
