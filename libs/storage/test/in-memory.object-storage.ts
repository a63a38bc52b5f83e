/**
 * ObjectStorage in memory, for the use cases' unit tests. Its presigned URLs are `memory://` URLs that
 * `request()` answers as S3 answers a client (status, ETag), so a test can play the browser's PUTs.
 * The conformance suite runs against it (conformance.spec.ts) to prove it keeps S3's rules: exact
 * lengths, signatures and expiries, parts replaced, a completed upload gone, 5 MiB parts.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { MIN_PART_SIZE, ObjectStorage, StorageError, StorageErrorCode } from '../src/index.js';
import type { CompletedPart, MultipartUploadInfo, ObjectHead, PartToSign, StoredPart } from '../src/index.js';
import { promised } from '../src/promised.js';
import type { HttpAnswer } from './helpers.js';

interface StoredObject {
  body: Buffer;
  etag: string;
  contentType?: string;
}

interface MultipartUpload {
  key: string;
  contentType: string;
  initiated: Date;
  parts: Map<number, StoredObject>;
}

export class InMemoryObjectStorage extends ObjectStorage {
  readonly driver = 'disk' as const;
  readonly objects = new Map<string, StoredObject>();
  readonly uploads = new Map<string, MultipartUpload>();
  private readonly secret = randomBytes(32);

  createMultipart(key: string, contentType: string): Promise<string> {
    return promised(() => {
      const id = randomUUID();
      this.uploads.set(id, { key, contentType, initiated: new Date(), parts: new Map() });
      return id;
    });
  }

  presignParts(
    key: string,
    multipartUploadId: string,
    parts: readonly PartToSign[],
    expiresIn: number,
  ): Promise<string[]> {
    const expires = String(Math.floor(Date.now() / 1000) + expiresIn);
    return promised(() =>
      parts.map((p) =>
        this.sign({
          op: 'part',
          key,
          multipartUploadId,
          partNumber: String(p.partNumber),
          length: p.contentLength === undefined ? 'any' : String(p.contentLength),
          expires,
        }),
      ),
    );
  }

  presignGet(key: string, expiresIn: number): Promise<string> {
    return promised(() => {
      return this.sign({ op: 'get', key, expires: String(Math.floor(Date.now() / 1000) + expiresIn) });
    });
  }

  async uploadPart(
    key: string,
    multipartUploadId: string,
    partNumber: number,
    body: Readable,
    contentLength: number,
  ): Promise<StoredPart> {
    const upload = this.upload(key, multipartUploadId);
    const bytes = await exactly(body, contentLength);
    const part = { body: bytes, etag: etagOf(bytes) };
    upload.parts.set(partNumber, part);
    return { partNumber, size: bytes.length, etag: part.etag };
  }

  async putObject(key: string, body: Readable, contentLength: number, contentType?: string): Promise<ObjectHead> {
    const bytes = await exactly(body, contentLength);
    const object = { body: bytes, etag: etagOf(bytes), contentType };
    this.objects.set(key, object);
    return { size: bytes.length, etag: object.etag, contentType };
  }

  listParts(key: string, multipartUploadId: string): Promise<StoredPart[]> {
    return promised(() => {
      const upload = this.upload(key, multipartUploadId);
      return [...upload.parts]
        .sort(([a], [b]) => a - b)
        .map(([partNumber, p]) => ({ partNumber, size: p.body.length, etag: p.etag }));
    });
  }

  completeMultipart(key: string, multipartUploadId: string, parts: CompletedPart[]): Promise<void> {
    return promised(() => {
      const upload = this.upload(key, multipartUploadId);
      if (parts.length === 0) throw invalidPart('complete needs at least one part');
      const bodies: Buffer[] = [];
      for (const [i, p] of parts.entries()) {
        const stored = upload.parts.get(p.partNumber);
        if (i > 0 && p.partNumber <= parts[i - 1].partNumber) throw invalidPart('part numbers must ascend');
        if (!stored || stored.etag !== p.etag)
          throw invalidPart(`part ${p.partNumber} is not there with ETag ${p.etag}`);
        if (i < parts.length - 1 && stored.body.length < MIN_PART_SIZE)
          throw invalidPart(`EntityTooSmall: part ${p.partNumber}`);
        bodies.push(stored.body);
      }
      const digest = createHash('md5');
      for (const p of parts) digest.update(Buffer.from(p.etag.replace(/"/g, ''), 'hex'));
      this.objects.set(key, {
        body: Buffer.concat(bodies),
        etag: `"${digest.digest('hex')}-${parts.length}"`,
        contentType: upload.contentType,
      });
      this.uploads.delete(multipartUploadId);
    });
  }

  listMultipartUploads(prefix: string): Promise<MultipartUploadInfo[]> {
    return promised(() =>
      [...this.uploads]
        .filter(([, u]) => u.key.startsWith(prefix))
        .map(([multipartUploadId, u]) => ({ key: u.key, multipartUploadId, initiated: u.initiated })),
    );
  }

  abortMultipart(_key: string, multipartUploadId: string): Promise<void> {
    return promised(() => {
      this.uploads.delete(multipartUploadId);
    });
  }

  head(key: string): Promise<ObjectHead | null> {
    return promised(() => {
      const o = this.objects.get(key);
      return o ? { size: o.body.length, etag: o.etag, contentType: o.contentType } : null;
    });
  }

  readRange(key: string, start: number, end?: number): Promise<Readable> {
    return promised(() => {
      const o = this.objects.get(key);
      if (!o) throw new StorageError(StorageErrorCode.NotFound, `no object ${key}`);
      return Readable.from([o.body.subarray(start, end === undefined ? undefined : end + 1)]);
    });
  }

  delete(key: string): Promise<void> {
    return promised(() => {
      this.objects.delete(key);
    });
  }

  /**
   * What storage answers a client's request to one of these URLs: a part PUT (200 and its ETag; 400
   * for another length; 403 for a bad or expired signature; 404 when the upload is gone) or a GET.
   */
  async request(
    method: 'GET' | 'PUT',
    url: string,
    body: Buffer = Buffer.alloc(0),
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
    const params = Object.fromEntries(new URL(url).searchParams);
    const { signature, ...claims } = params;
    if (signature !== this.signature(claims) || Number(claims.expires) * 1000 < Date.now())
      return answer(403, 'SignatureDoesNotMatch');
    if (method === 'GET') {
      const o = claims.op === 'get' ? this.objects.get(claims.key) : undefined;
      if (claims.op !== 'get') return answer(403, 'AccessDenied');
      if (!o) return answer(404, 'NoSuchKey');
      const range = /^bytes=(\d+)-(\d+)$/.exec(headers.range ?? '');
      if (!range) return { status: 200, headers: { etag: o.etag }, body: o.body };
      const [start, end] = [Number(range[1]), Math.min(Number(range[2]), o.body.length - 1)];
      return {
        status: 206,
        headers: { etag: o.etag, 'content-range': `bytes ${start}-${end}/${o.body.length}` },
        body: o.body.subarray(start, end + 1),
      };
    }
    if (claims.op !== 'part') return answer(403, 'AccessDenied');
    if (claims.length !== 'any' && body.length !== Number(claims.length)) return answer(400, 'IncompleteBody');
    try {
      const part = await this.uploadPart(
        claims.key,
        claims.multipartUploadId,
        Number(claims.partNumber),
        Readable.from([body]),
        body.length,
      );
      return { status: 200, headers: { etag: part.etag }, body: Buffer.alloc(0) };
    } catch (error) {
      if (error instanceof StorageError && error.code === StorageErrorCode.NoSuchUpload)
        return answer(404, 'NoSuchUpload');
      throw error;
    }
  }

  private sign(claims: Record<string, string>): string {
    const url = new URL('memory://storage/');
    for (const [name, value] of Object.entries(claims)) url.searchParams.set(name, value);
    url.searchParams.set('signature', this.signature(claims));
    return url.toString();
  }

  private signature(claims: Record<string, string>): string {
    const canonical = Object.keys(claims)
      .sort()
      .map((name) => `${name}=${claims[name]}`)
      .join('&');
    return createHmac('sha256', this.secret).update(canonical).digest('hex');
  }

  private upload(key: string, multipartUploadId: string): MultipartUpload {
    const upload = this.uploads.get(multipartUploadId);
    if (!upload || upload.key !== key)
      throw new StorageError(StorageErrorCode.NoSuchUpload, `no multipart upload ${multipartUploadId}`);
    return upload;
  }
}

/** Reads `body` whole, failing as the drivers do when it has another length than announced. */
async function exactly(body: Readable, contentLength: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  } catch (error) {
    throw new StorageError(StorageErrorCode.LengthMismatch, 'the body failed before its end', { cause: error });
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== contentLength)
    throw new StorageError(
      StorageErrorCode.LengthMismatch,
      `expected ${contentLength} bytes, received ${bytes.length}`,
    );
  return bytes;
}

function etagOf(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

function invalidPart(message: string): StorageError {
  return new StorageError(StorageErrorCode.InvalidPart, message);
}

function answer(status: number, code: string): HttpAnswer {
  return { status, headers: {}, body: Buffer.from(code) };
}
