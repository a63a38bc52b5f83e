/**
 * The disk driver's multipart bookkeeping: the upload's own file (its key and content type), and the
 * checks S3 makes when an upload is completed, with S3's multipart ETag.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, ifMissing } from './disk-files.js';
import type { DiskLayout } from './disk-layout.js';
import type { CompletedPart } from './object-storage.js';
import { MIN_PART_SIZE } from './part-plan.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

export interface UploadMeta {
  key: string;
  contentType: string;
}

export async function writeUploadMeta(dir: string, meta: UploadMeta): Promise<void> {
  await writeFile(join(dir, 'upload.json'), JSON.stringify(meta));
}

/** Null when there is no such upload (never created, completed or aborted). */
export async function readUploadMeta(dir: string): Promise<UploadMeta | null> {
  const text = await readFile(join(dir, 'upload.json'), 'utf8').catch(ifMissing(null));
  const value: unknown = text === null ? null : JSON.parse(text);
  return isUploadMeta(value) ? value : null;
}

/**
 * S3's checks at completion: ascending part numbers, each part there with that ETag, every part but
 * the last at least 5 MiB. Answers the parts' files in order.
 */
export async function checkParts(layout: DiskLayout, dir: string, parts: CompletedPart[]): Promise<string[]> {
  if (parts.length === 0) throw invalidPart('complete needs at least one part');
  const paths: string[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0 && part.partNumber <= parts[i - 1].partNumber)
      throw invalidPart('InvalidPartOrder: part numbers must ascend');
    const path = layout.partPath(dir, part.partNumber);
    const file = Number.isInteger(part.partNumber) ? await describe(path, `${path}.json`) : null;
    if (!file) throw invalidPart(`part ${part.partNumber} was not uploaded`);
    if (unquote(file.etag) !== unquote(part.etag))
      throw invalidPart(`part ${part.partNumber} has ETag ${file.etag}, not ${part.etag}`);
    if (i < parts.length - 1 && file.size < MIN_PART_SIZE) {
      throw invalidPart(
        `EntityTooSmall: part ${part.partNumber} has ${file.size} bytes; all but the last need ${MIN_PART_SIZE}`,
      );
    }
    paths.push(path);
  }
  return paths;
}

/** S3's multipart ETag: MD5 of the parts' binary MD5s, then `-<count>`. */
export function multipartEtag(parts: CompletedPart[]): string {
  const hash = createHash('md5');
  for (const part of parts) hash.update(Buffer.from(unquote(part.etag), 'hex'));
  return `"${hash.digest('hex')}-${parts.length}"`;
}

export function noSuchUpload(multipartUploadId: string): StorageError {
  return new StorageError(StorageErrorCode.NoSuchUpload, `no multipart upload ${multipartUploadId}`);
}

function invalidPart(message: string): StorageError {
  return new StorageError(StorageErrorCode.InvalidPart, message);
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

function isUploadMeta(value: unknown): value is UploadMeta {
  if (typeof value !== 'object' || value === null) return false;
  const v: Record<string, unknown> = { ...value };
  return typeof v.key === 'string' && typeof v.contentType === 'string';
}
