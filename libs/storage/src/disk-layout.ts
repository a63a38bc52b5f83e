/**
 * Where the disk driver keeps things under its root:
 *
 *   objects/<key>                     the object's bytes, a plain file (readable with any tool)
 *   meta/<key>                        its ETag, size and content type as JSON (see disk-files.ts); the
 *                                     same tree shape as objects/, so any key that fits there fits here
 *   multipart/<id>/upload.json        a multipart upload's key and content type
 *   multipart/<id>/part-00001   a finished part, and part-00001.json its ETag and size
 *   tmp/                              files being written; renamed into place only when complete
 *
 * Keys come from the server, never from users, but are still checked here so that no key can name a
 * file outside the root.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, join, resolve, sep } from 'node:path';

const MULTIPART_UPLOAD_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PART_FILE = /^part-(\d{5})$/;

export class DiskLayout {
  readonly objects: string;
  readonly meta: string;
  readonly multipart: string;
  readonly tmp: string;

  constructor(root: string) {
    const base = resolve(root);
    this.objects = join(base, 'objects');
    this.meta = join(base, 'meta');
    this.multipart = join(base, 'multipart');
    this.tmp = join(base, 'tmp');
  }

  objectPath(key: string): string {
    return inside(this.objects, checkKey(key));
  }

  objectMetaPath(key: string): string {
    return inside(this.meta, checkKey(key));
  }

  /** Null for a string that cannot be one of our multipart upload ids: such an upload does not exist. */
  uploadDir(multipartUploadId: string): string | null {
    return MULTIPART_UPLOAD_ID.test(multipartUploadId) ? join(this.multipart, multipartUploadId) : null;
  }

  partPath(uploadDir: string, partNumber: number): string {
    return join(uploadDir, `part-${String(partNumber).padStart(5, '0')}`);
  }

  /** The part number a file in an upload folder holds, or null for any other file. */
  partNumberOf(fileName: string): number | null {
    const match = PART_FILE.exec(fileName);
    return match ? Number(match[1]) : null;
  }

  tmpPath(): string {
    return join(this.tmp, randomUUID());
  }
}

export function newMultipartUploadId(): string {
  return randomUUID();
}

/** Refuses keys that are empty, absolute, contain NUL, or have empty, `.` or `..` segments. */
export function checkKey(key: string): string {
  const bad =
    key.length === 0 ||
    key.includes('\0') ||
    key.includes('\\') ||
    isAbsolute(key) ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..');
  if (bad) throw new RangeError(`invalid storage key ${JSON.stringify(key)}`);
  return key;
}

/** Joins and checks the result is still below `dir`: a second guard should checkKey ever miss a case. */
function inside(dir: string, relative: string): string {
  const path = resolve(dir, relative);
  if (!path.startsWith(dir + sep)) throw new RangeError(`storage key escapes its folder: ${JSON.stringify(relative)}`);
  return path;
}
