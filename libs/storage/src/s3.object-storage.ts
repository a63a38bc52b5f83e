/**
 * ObjectStorage over any S3-compatible service (Storj in production, radosgw in tests) through the AWS
 * SDK. Bodies are streamed, never buffered; part URLs sign the exact Content-Length so that storage
 * itself refuses a body of another size.
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertLength, assertPartNumber } from './exact-length.js';
import { sendGuarded } from './guarded-body.js';
import { PartUrlSigner } from './part-url-signer.js';
import {
  ObjectStorage,
  type CompletedPart,
  type MultipartUploadInfo,
  type ObjectHead,
  type PartToSign,
  type StoredPart,
} from './object-storage.js';
import { isNotFound, toStorageError, type S3ErrorScope } from './s3-errors.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

export interface S3ObjectStorageOptions {
  /** Bucket holding every object and upload; it must exist (see `ensureBucket`). */
  bucket: string;
}

export class S3ObjectStorage extends ObjectStorage {
  readonly driver = 's3' as const;
  /** The last upload's part signer that the SDK's signature proved, and the expiry it signs. */
  private recentSigner?: { signer: PartUrlSigner; expiresIn: number };
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
      this.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, ContentType: contentType }),
      ),
    );
    if (!out.UploadId) throw new Error('S3 CreateMultipartUpload answered no UploadId');
    return out.UploadId;
  }

  /**
   * The SDK signs the first part's URL; PartUrlSigner signs the others from it with SigV4's rules, or
   * the SDK signs them too when the signer cannot reproduce that first URL. Within one second, a later
   * upload's parts are signed from the last proven template without asking the SDK
   * (PartUrlSigner.forUpload): such a URL is the one the SDK would sign in that second.
   */
  async presignParts(
    key: string,
    multipartUploadId: string,
    parts: readonly PartToSign[],
    expiresIn: number,
  ): Promise<string[]> {
    for (const { partNumber, contentLength } of parts) {
      assertPartNumber(partNumber);
      if (contentLength !== undefined) assertLength(contentLength);
    }
    if (parts.length === 0) return [];
    // A part of a size the client chooses is rare (one URL per request): the SDK signs it without a length.
    if (!parts.every(hasLength))
      return Promise.all(parts.map((p) => this.sdkPresignPart(key, multipartUploadId, p, expiresIn)));
    return this.presignSizedParts(key, multipartUploadId, parts, expiresIn);
  }

  /** Parts of known lengths: one SDK signature, the rest by PartUrlSigner (part-url-signer.ts says why). */
  private async presignSizedParts(
    key: string,
    multipartUploadId: string,
    parts: readonly Required<PartToSign>[],
    expiresIn: number,
  ): Promise<string[]> {
    const recent =
      this.recentSigner?.expiresIn === expiresIn && this.recentSigner.signer.date === amzDate(new Date())
        ? this.recentSigner.signer.forUpload(key, multipartUploadId)
        : null;
    if (recent) return recent.signAll(parts);
    const [first, ...rest] = parts;
    const template = await this.sdkPresignPart(key, multipartUploadId, first, expiresIn);
    const { secretAccessKey } = await this.presignClient.config.credentials();
    const signer = PartUrlSigner.from({ url: template, key, contentLength: first.contentLength }, secretAccessKey);
    if (!signer)
      return [
        template,
        ...(await Promise.all(rest.map((p) => this.sdkPresignPart(key, multipartUploadId, p, expiresIn)))),
      ];
    this.recentSigner = { signer, expiresIn };
    return [template, ...signer.signAll(rest)];
  }

  private sdkPresignPart(key: string, multipartUploadId: string, part: PartToSign, expiresIn: number): Promise<string> {
    const command = new UploadPartCommand({
      Bucket: this.options.bucket,
      Key: key,
      UploadId: multipartUploadId,
      PartNumber: part.partNumber,
      ContentLength: part.contentLength,
    });
    const signed = part.contentLength === undefined ? [] : ['content-length'];
    return getSignedUrl(this.presignClient, command, signing(expiresIn, signed));
  }

  async presignGet(key: string, expiresIn: number): Promise<string> {
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: key });
    return getSignedUrl(this.presignClient, command, signing(expiresIn, []));
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
    const { bucket: Bucket } = this.options;
    const out = await this.send('upload', `UploadPart ${partNumber}`, () =>
      sendGuarded(body, contentLength, (Body, abortSignal) => {
        const command = new UploadPartCommand({
          Bucket,
          Key: key,
          UploadId: multipartUploadId,
          PartNumber: partNumber,
          Body,
          ContentLength: contentLength,
        });
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
        const command = new PutObjectCommand({
          Bucket,
          Key: key,
          Body,
          ContentLength: contentLength,
          ContentType: contentType,
        });
        return this.client.send(command, { abortSignal });
      }),
    );
    return { size: contentLength, etag: out.ETag ?? '', contentType };
  }

  async listParts(key: string, multipartUploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    do {
      const out = await this.send('upload', 'ListParts', () =>
        this.client.send(
          new ListPartsCommand({
            Bucket: this.options.bucket,
            Key: key,
            UploadId: multipartUploadId,
            MaxParts: 1000,
            PartNumberMarker: marker,
          }),
        ),
      );
      for (const part of out.Parts ?? []) {
        if (part.PartNumber !== undefined)
          parts.push({ partNumber: part.PartNumber, size: part.Size ?? 0, etag: part.ETag ?? '' });
      }
      // Fall back to the last part seen if a server says "truncated" without a marker, so we never loop.
      const last = parts.at(-1)?.partNumber;
      marker = out.IsTruncated
        ? (out.NextPartNumberMarker ?? (last === undefined ? undefined : String(last)))
        : undefined;
    } while (marker);
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, multipartUploadId: string, parts: CompletedPart[]): Promise<void> {
    // S3 would answer MalformedXML; an empty list is a caller's mistake about parts.
    if (parts.length === 0) throw new StorageError(StorageErrorCode.InvalidPart, 'complete needs at least one part');
    const Parts = parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag }));
    await this.send('upload', 'CompleteMultipartUpload', () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.options.bucket,
          Key: key,
          UploadId: multipartUploadId,
          MultipartUpload: { Parts },
        }),
      ),
    );
  }

  async listMultipartUploads(prefix: string): Promise<MultipartUploadInfo[]> {
    const uploads: MultipartUploadInfo[] = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const out = await this.send('object', 'ListMultipartUploads', () =>
        this.client.send(new ListMultipartUploadsCommand({ Bucket: this.options.bucket, Prefix: prefix, ...markers })),
      );
      for (const u of out.Uploads ?? []) {
        if (u.Key && u.UploadId)
          uploads.push({ key: u.Key, multipartUploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
      }
      if (!out.IsTruncated || (!out.NextKeyMarker && !out.NextUploadIdMarker)) return uploads;
      markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
    }
  }

  async abortMultipart(key: string, multipartUploadId: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: key, UploadId: multipartUploadId }),
      );
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
    if (end !== undefined && (!Number.isSafeInteger(end) || end < start))
      throw new RangeError(`bad range end ${end} for start ${start}`);
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

/** SigV4's X-Amz-Date of a moment (20260301T123456Z): the second the SDK signs a URL in. */
function amzDate(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function hasLength(part: PartToSign): part is Required<PartToSign> {
  return part.contentLength !== undefined;
}
