/**
 * ObjectStorage over any S3-compatible service (Storj in production, radosgw in tests) through the AWS
 * SDK. Bodies are streamed, never buffered; presigned PUTs sign the exact Content-Length so that
 * storage itself refuses a body of another size.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertLength, assertPartNumber } from './exact-length.js';
import { sendGuarded } from './guarded-body.js';
import { PartUrlSigner } from './part-url-signer.js';
import { ObjectStorage, type CompletedPart, type ObjectHead, type PresignPutOptions, type StoredPart } from './object-storage.js';
import { isNotFound, toStorageError, type S3ErrorScope } from './s3-errors.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

export interface S3ObjectStorageOptions {
  /** Bucket holding every object and upload; it must exist (see `ensureBucket`). */
  bucket: string;
}

/**
 * How long the SDK-signed URL of one upload's part serves as the template of its other parts' URLs.
 * Short, because every URL signed from it shares its date and so its expiry: init signs all the parts
 * of an upload at once, well within it.
 */
const TEMPLATE_REUSE_MS = 1000;

export class S3ObjectStorage extends ObjectStorage {
  readonly driver = 's3' as const;
  /** Part URL signers of recent uploads, by key, upload and expiry (see PartUrlSigner). */
  private readonly partSigners = new Map<string, { at: number; signer: Promise<PartUrlSigner | null> }>();

  /**
   * @param presignClient signs the URLs handed to browsers; pass one built with the public endpoint
   *   when it differs from the one this server reaches storage through (the signature covers the host).
   */
  constructor(
    private readonly client: S3Client,
    private readonly options: S3ObjectStorageOptions,
    private readonly presignClient: S3Client = client,
  ) {
    super();
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    const out = await this.send('upload', 'CreateMultipartUpload', () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, ContentType: contentType })),
    );
    if (!out.UploadId) throw new Error('S3 CreateMultipartUpload answered no UploadId');
    return out.UploadId;
  }

  async presignPut(key: string, options: PresignPutOptions): Promise<string> {
    assertLength(options.contentLength);
    const { contentLength: ContentLength, contentType: ContentType } = options;
    const command = new PutObjectCommand({ Bucket: this.options.bucket, Key: key, ContentLength, ContentType });
    return getSignedUrl(this.presignClient, command, signing(options.expiresIn, ContentType ? ['content-length', 'content-type'] : ['content-length']));
  }

  async presignPart(key: string, uploadId: string, partNumber: number, options: PresignPutOptions): Promise<string> {
    assertPartNumber(partNumber);
    assertLength(options.contentLength);
    const signer = await this.partSigner(key, uploadId, partNumber, options);
    return signer ? signer.sign(partNumber, options.contentLength) : this.sdkPresignPart(key, uploadId, partNumber, options);
  }

  /** The signer of this upload's part URLs: made from the first part URL asked for, shared briefly. */
  private partSigner(key: string, uploadId: string, partNumber: number, options: PresignPutOptions): Promise<PartUrlSigner | null> {
    const id = `${key}\n${uploadId}\n${options.expiresIn}`;
    const now = Date.now();
    const recent = this.partSigners.get(id);
    if (recent && now - recent.at < TEMPLATE_REUSE_MS) return recent.signer;
    for (const [old, entry] of this.partSigners) if (now - entry.at >= TEMPLATE_REUSE_MS) this.partSigners.delete(old);
    const signer = (async () => {
      const template = await this.sdkPresignPart(key, uploadId, partNumber, options);
      const { secretAccessKey } = await this.presignClient.config.credentials();
      return PartUrlSigner.from(template, secretAccessKey, options.contentLength);
    })();
    // A failure is the caller's once; the next call tries again rather than reusing it.
    signer.catch(() => {
      if (this.partSigners.get(id)?.signer === signer) this.partSigners.delete(id);
    });
    this.partSigners.set(id, { at: now, signer });
    return signer;
  }

  private sdkPresignPart(key: string, uploadId: string, partNumber: number, options: PresignPutOptions): Promise<string> {
    const command = new UploadPartCommand({
      Bucket: this.options.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      ContentLength: options.contentLength,
    });
    return getSignedUrl(this.presignClient, command, signing(options.expiresIn, ['content-length']));
  }

  async presignGet(key: string, expiresIn: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: key });
    return getSignedUrl(this.presignClient, command, signing(expiresIn, []));
  }

  async uploadPart(key: string, uploadId: string, partNumber: number, body: Readable, contentLength: number): Promise<StoredPart> {
    assertPartNumber(partNumber);
    assertLength(contentLength);
    const { bucket: Bucket } = this.options;
    const out = await this.send('upload', `UploadPart ${partNumber}`, () =>
      sendGuarded(body, contentLength, (Body, abortSignal) => {
        const command = new UploadPartCommand({ Bucket, Key: key, UploadId: uploadId, PartNumber: partNumber, Body, ContentLength: contentLength });
        return this.client.send(command, { abortSignal });
      }),
    );
    return { partNumber, size: contentLength, etag: out.ETag ?? '' };
  }

  async putObject(key: string, body: Readable, contentLength: number, contentType?: string): Promise<ObjectHead> {
    assertLength(contentLength);
    const { bucket: Bucket } = this.options;
    const out = await this.send('object', 'PutObject', () =>
      sendGuarded(body, contentLength, (Body, abortSignal) => {
        const command = new PutObjectCommand({ Bucket, Key: key, Body, ContentLength: contentLength, ContentType: contentType });
        return this.client.send(command, { abortSignal });
      }),
    );
    return { size: contentLength, etag: out.ETag ?? '', contentType };
  }

  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    do {
      const out = await this.send('upload', 'ListParts', () =>
        this.client.send(
          new ListPartsCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId, MaxParts: 1000, PartNumberMarker: marker }),
        ),
      );
      for (const part of out.Parts ?? []) {
        if (part.PartNumber !== undefined) parts.push({ partNumber: part.PartNumber, size: part.Size ?? 0, etag: part.ETag ?? '' });
      }
      // Fall back to the last part seen if a server says "truncated" without a marker, so we never loop.
      const last = parts.at(-1)?.partNumber;
      marker = out.IsTruncated ? (out.NextPartNumberMarker ?? (last === undefined ? undefined : String(last))) : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: CompletedPart[]): Promise<void> {
    // S3 would answer MalformedXML; an empty list is a caller's mistake about parts.
    if (parts.length === 0) throw new StorageError(StorageErrorCode.InvalidPart, 'complete needs at least one part');
    const Parts = parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
    await this.send('upload', 'CompleteMultipartUpload', () =>
      this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts } }),
      ),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: uploadId }));
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error, 'upload', 'AbortMultipartUpload');
    }
  }

  async head(key: string): Promise<ObjectHead | null> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return { size: out.ContentLength ?? 0, etag: out.ETag ?? '', contentType: out.ContentType };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw toStorageError(error, 'object', 'HeadObject');
    }
  }

  async readRange(key: string, start: number, end?: number): Promise<Readable> {
    assertLength(start);
    if (end !== undefined && (!Number.isSafeInteger(end) || end < start)) throw new RangeError(`bad range end ${end} for start ${start}`);
    const Range = `bytes=${start}-${end ?? ''}`;
    const out = await this.send('object', 'GetObject', () =>
      this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key, Range })),
    );
    if (!(out.Body instanceof Readable)) throw new Error('S3 GetObject answered no Node.js stream');
    return out.Body;
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (error) {
      if (!isNotFound(error)) throw toStorageError(error, 'object', 'DeleteObject');
    }
  }

  private async send<T>(scope: S3ErrorScope, call: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toStorageError(error, scope, call);
    }
  }
}

/** Signs `headers` too: a signed header must come with the same value, or storage answers 403. */
function signing(expiresIn: number, headers: string[]): { expiresIn: number; signableHeaders: Set<string> } {
  return { expiresIn, signableHeaders: new Set(headers) };
}
