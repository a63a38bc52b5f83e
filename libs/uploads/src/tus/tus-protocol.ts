/**
 * The tus 1.0.0 protocol's vocabulary, as pure functions over header values (https://tus.io/protocols/
 * resumable-upload): what the server offers, and the parsers of the request headers it reads. A header
 * that breaks its section's rule is a VALIDATION_FAILED naming the header, never a 500.
 */
import { type FieldProblem, UploadError, validationFailed } from '../upload-error.js';

/** "Tus-Resumable" / "Tus-Version" (section "Headers"): the only version spoken. */
export const TUS_VERSION = '1.0.0';

/**
 * "Tus-Extension" (section "Protocol Extensions"). Not offered: creation-defer-length (every upload says
 * its length when it is created) and concatenation.
 */
export const TUS_EXTENSIONS = ['creation', 'creation-with-upload', 'termination', 'expiration', 'checksum'];

/** "Tus-Checksum-Algorithm" (section "Checksum"), named as node:crypto names its hashes. */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The body type of every PATCH (section "PATCH") and of a creation with upload. */
export const TUS_CONTENT_TYPE = 'application/offset+octet-stream';

/** Upload-Checksum, read: the algorithm and the digest it announces. */
export interface UploadChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

/** Canonical base64 (RFC 4648 section 4, padded), which Buffer.from alone would take with any junk in it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DIGITS = /^[0-9]+$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A non-negative integer header (Upload-Offset, Upload-Length: section "Headers"). Throws VALIDATION_FAILED
 * naming `header` when it is missing, not decimal digits, or above 2^53 - 1.
 */
export function parseByteCount(header: string, value: string | undefined): number {
  const n = value !== undefined && DIGITS.test(value.trim()) ? Number(value.trim()) : NaN;
  if (Number.isSafeInteger(n)) return n;
  throw bad(header, value === undefined ? `${header} is required` : `${header} must be a non-negative integer`);
}

/**
 * Upload-Metadata (section "Creation", "Upload-Metadata"): comma-separated pairs of a key and its value
 * in base64, separated by a space; a key alone (or with nothing after the space) has an empty value,
 * answered as null. Keys are unique, not empty, and hold no space or comma. Values are decoded as UTF-8.
 * An absent or empty header is no metadata. Throws VALIDATION_FAILED on any other shape.
 */
export function parseUploadMetadata(value: string | undefined): Map<string, string | null> {
  const metadata = new Map<string, string | null>();
  if (value === undefined || value.trim() === '') return metadata;
  for (const pair of value.split(',')) {
    const [key, encoded, ...extra] = pair.trim().split(' ');
    if (key === '' || extra.length > 0)
      throw bad('Upload-Metadata', 'each pair must be "key base64value" or "key", separated by commas');
    if (metadata.has(key)) throw bad('Upload-Metadata', `key "${key}" is given twice`);
    metadata.set(key, encoded === undefined || encoded === '' ? null : decodeValue(key, encoded));
  }
  return metadata;
}

/**
 * Upload-Checksum (section "Checksum"): `<algorithm> <base64 digest>`. Throws VALIDATION_FAILED for
 * another shape or an algorithm not in CHECKSUM_ALGORITHMS (the spec's 400 Bad Request).
 */
export function parseUploadChecksum(value: string): UploadChecksum {
  const [name, encoded, ...extra] = value.trim().split(' ');
  if (encoded === undefined || extra.length > 0 || !BASE64.test(encoded) || encoded === '')
    throw bad('Upload-Checksum', 'Upload-Checksum must be "<algorithm> <base64 digest>"');
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === name.toLowerCase());
  if (!algorithm)
    throw bad('Upload-Checksum', `algorithm "${name}" is not supported: use one of ${CHECKSUM_ALGORITHMS.join(', ')}`);
  return { algorithm, digest: Buffer.from(encoded, 'base64') };
}

/** Upload-Expires (section "Expiration"): an RFC 9110 (RFC 7231) IMF-fixdate. */
export function formatUploadExpires(at: Date): string {
  return at.toUTCString();
}

function decodeValue(key: string, encoded: string): string {
  if (!BASE64.test(encoded)) throw bad('Upload-Metadata', `the value of "${key}" is not base64`);
  try {
    return UTF8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw bad('Upload-Metadata', `the value of "${key}" is not UTF-8 text`);
  }
}

function bad(field: string, problem: string): UploadError {
  const fields: FieldProblem[] = [{ field, problems: [problem] }];
  return validationFailed(fields);
}
