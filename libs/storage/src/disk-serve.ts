/**
 * The HTTP side of the disk driver's signed URLs, framework-neutral (node:http request and response),
 * so the API can mount it under any router. It answers like S3 where a client can tell: 200 with a
 * quoted ETag header for a PUT, 206 for a Range GET, 403 for a bad or expired signature; errors use
 * the API's envelope `{ success: false, error: { code, message, details } }`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { verifyDiskUrl, type DiskUrlClaims } from './disk-signing.js';
import type { ObjectStorage } from './object-storage.js';
import { parseRange } from './http-range.js';
import { MAX_PART_SIZE } from './part-plan.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

export interface ServeOptions {
  signingSecret: string;
  onServeError?: (error: unknown, errorId: string) => void;
}

/** An answer decided here rather than by the storage (wrong method, wrong length, bad range). */
class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

export async function serveDisk(
  storage: ObjectStorage,
  options: ServeOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const method = req.method ?? '';
    if (method !== 'PUT' && method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, PUT');
      throw new Refusal(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on signed storage URLs`);
    }
    const claims = verifyDiskUrl(new URL(req.url ?? '/', 'http://unused').searchParams, options.signingSecret);
    if (method === 'PUT') await receive(storage, claims, req, res);
    else await send(storage, claims, req, res, method === 'HEAD');
  } catch (error) {
    answerError(res, error, options);
  }
}

async function receive(
  storage: ObjectStorage,
  claims: DiskUrlClaims,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { key, multipartUploadId, partNumber } = claims;
  if (claims.op !== 'part' || multipartUploadId === undefined || partNumber === undefined) {
    throw new StorageError(StorageErrorCode.BadSignature, 'this URL does not allow a PUT');
  }
  const length = bodyLength(claims, req.headers['content-length']);
  // Any Content-Type is taken, as S3 takes it for a part: the object's type was given at creation.
  const { etag } = await storage.uploadPart(key, multipartUploadId, partNumber, req, length);
  res.writeHead(200, { ETag: etag, 'Content-Length': '0', 'Access-Control-Expose-Headers': 'ETag' }).end();
}

/**
 * The body length the PUT may have, checked before reading a byte: exactly the signed one (a body of
 * another length is refused whole, as S3 does with a signed length), or, for a URL signed without one
 * (a part whose size the client chooses), the declared Content-Length up to MAX_PART_SIZE.
 */
function bodyLength(claims: DiskUrlClaims, declared: string | undefined): number {
  const { length } = claims;
  if (length !== undefined && declared === String(length)) return length;
  if (
    length === undefined &&
    declared !== undefined &&
    /^\d{1,11}$/.test(declared) &&
    Number(declared) <= MAX_PART_SIZE
  )
    return Number(declared);
  const wanted =
    length === undefined ? `a Content-Length of at most ${MAX_PART_SIZE} bytes` : `exactly ${length} bytes`;
  throw new Refusal(400, StorageErrorCode.LengthMismatch, `this URL takes a body of ${wanted}`, {
    expected: length ?? null,
    received: declared ?? null,
  });
}

async function send(
  storage: ObjectStorage,
  claims: DiskUrlClaims,
  req: IncomingMessage,
  res: ServerResponse,
  headOnly: boolean,
): Promise<void> {
  if (claims.op !== 'get') throw new StorageError(StorageErrorCode.BadSignature, 'this URL does not allow reading');
  const head = await storage.head(claims.key);
  if (!head) throw new StorageError(StorageErrorCode.NotFound, 'no such object');
  const range = parseRange(req.headers.range, head.size);
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${head.size}`);
    throw new Refusal(416, 'RANGE_NOT_SATISFIABLE', `the object has ${head.size} bytes`, { size: head.size });
  }
  const { start, end } = range ?? { start: 0, end: head.size - 1 };
  const headers: Record<string, string> = {
    'Content-Type': head.contentType ?? 'application/octet-stream',
    'Content-Length': String(end - start + 1),
    ETag: head.etag,
    'Accept-Ranges': 'bytes',
    'Access-Control-Expose-Headers': 'ETag, Content-Range, Accept-Ranges',
  };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${head.size}`;
  if (headOnly || head.size === 0) {
    res.writeHead(range ? 206 : 200, headers).end();
    return;
  }
  const body = await storage.readRange(claims.key, start, end);
  res.writeHead(range ? 206 : 200, headers);
  await pipeline(body, res).catch(() => undefined); // the reader went away: nothing left to tell it
}

function answerError(res: ServerResponse, error: unknown, options: ServeOptions): void {
  const { status, code, message, details } = describeError(error, options);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ success: false, error: { code, message, details } });
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
    })
    .end(body);
}

function describeError(
  error: unknown,
  options: ServeOptions,
): { status: number; code: string; message: string; details: Record<string, unknown> | null } {
  if (error instanceof Refusal)
    return { status: error.status, code: error.code, message: error.message, details: error.details };
  if (error instanceof StorageError)
    return { status: statusOf(error.code), code: error.code, message: error.message, details: null };
  // Anything else is our failure (disk full, permissions): the answer carries only an id for the logs.
  const errorId = randomUUID();
  options.onServeError?.(error, errorId);
  return { status: 500, code: 'INTERNAL_ERROR', message: 'storage failed; see the server log', details: { errorId } };
}

function statusOf(code: StorageErrorCode): number {
  switch (code) {
    case StorageErrorCode.BadSignature:
      return 403;
    case StorageErrorCode.NotFound:
    case StorageErrorCode.NoSuchUpload:
      return 404;
    case StorageErrorCode.LengthMismatch:
    case StorageErrorCode.InvalidPart:
      return 400;
    case StorageErrorCode.Unavailable:
      return 503;
  }
}
