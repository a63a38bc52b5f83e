/**
 * The disk driver's "presigned" URLs: `<signedUrlBase>?op=..&key=..&multipartUploadId=..&partNumber=..
 * &length=..&expires=..&signature=..`, where `signature` is an HMAC-SHA256 over every other parameter.
 *
 * Like S3's, a URL allows one operation on one key (a GET of the object, or a PUT of one part of one
 * multipart upload with an exact body length) until `expires` (Unix seconds).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { StorageError, StorageErrorCode } from './storage.error.js';

export type DiskUrlOp = 'part' | 'get';

export interface DiskUrlClaims {
  op: DiskUrlOp;
  key: string;
  multipartUploadId?: string;
  partNumber?: number;
  /** Exact body length of a part PUT, in bytes. */
  length?: number;
  /** Unix seconds after which the URL is refused. */
  expires: number;
}

/** Bumped when the canonical form changes, so that old URLs fail instead of meaning something else. */
const VERSION = 'reelay-disk-v2';

export function signDiskUrl(base: string, secret: string, claims: DiskUrlClaims): string {
  const url = new URL(base);
  const params: [string, string | undefined][] = [
    ['op', claims.op],
    ['key', claims.key],
    ['multipartUploadId', claims.multipartUploadId],
    ['partNumber', claims.partNumber?.toString()],
    ['length', claims.length?.toString()],
    ['expires', claims.expires.toString()],
  ];
  for (const [name, value] of params) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('signature', signature(secret, claims));
  return url.toString();
}

/** The claims of a signed URL's query, or StorageError(BadSignature) when tampered with or expired. */
export function verifyDiskUrl(query: URLSearchParams, secret: string, nowMs = Date.now()): DiskUrlClaims {
  const op = query.get('op');
  const key = query.get('key');
  const expires = integer(query.get('expires'));
  const given = query.get('signature');
  if (!isOp(op) || key === null || expires === undefined || given === null) {
    throw badSignature('the URL is not a complete signed storage URL');
  }
  const claims: DiskUrlClaims = {
    op,
    key,
    multipartUploadId: query.get('multipartUploadId') ?? undefined,
    partNumber: integer(query.get('partNumber')),
    length: integer(query.get('length')),
    expires,
  };
  const expected = Buffer.from(signature(secret, claims));
  const actual = Buffer.from(given);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw badSignature('the URL signature does not match');
  }
  if (nowMs / 1000 > claims.expires) throw badSignature('the URL has expired');
  return claims;
}

/** S3's longest presigned URL lifetime (7 days), kept here too so a bad setting fails on disk as well. */
export const MAX_EXPIRES_IN = 7 * 24 * 3600;

export function expiresAt(expiresIn: number, nowMs = Date.now()): number {
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRES_IN) {
    throw new RangeError(`expiresIn must be an integer of seconds in 1..${MAX_EXPIRES_IN}, got ${expiresIn}`);
  }
  return Math.floor(nowMs / 1000) + expiresIn;
}

function signature(secret: string, c: DiskUrlClaims): string {
  // Each field is URI-encoded so that no value can contain the separator and shift the others.
  const fields = [VERSION, c.op, c.key, c.multipartUploadId, c.partNumber, c.length, c.expires];
  const canonical = fields.map((f) => encodeURIComponent(f === undefined ? '' : String(f))).join('\n');
  return createHmac('sha256', secret).update(canonical).digest('base64url');
}

/** Only plain decimal digits: `Number()` would also accept "1e3", " 12" or "0x10". */
function integer(value: string | null): number | undefined {
  if (value === null || !/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

function isOp(value: string | null): value is DiskUrlOp {
  return value === 'part' || value === 'get';
}

function badSignature(message: string): StorageError {
  return new StorageError(StorageErrorCode.BadSignature, message);
}
