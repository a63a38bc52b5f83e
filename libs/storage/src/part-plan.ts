/**
 * Part arithmetic for uploads: whether a file is chunked, its part size, part count and byte ranges.
 * Pure functions; the S3 limits (Amazon S3 User Guide, "Amazon S3 multipart upload limits") live here
 * and nowhere else. Every upload is a multipart upload: a file that is not chunked is its one part.
 */
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** S3's smallest part (every part but the last must be at least this big). */
export const MIN_PART_SIZE = 5 * MiB;
/** S3's largest part. */
export const MAX_PART_SIZE = 5 * GiB;
/** S3's largest part count. */
export const MAX_PARTS = 10_000;
/** Storj stores 64 MiB segments: parts of that size cost least there. */
export const DEFAULT_PART_SIZE = 64 * MiB;
/** Files up to this size go up whole, in one PUT, by default (150 MiB). */
export const DEFAULT_SINGLE_UPLOAD_MAX = 150 * MiB;

export interface PartPlanOptions {
  /** Largest file sent as one PUT. */
  singleUploadMax: number;
  /** Preferred part size; raised when the file would otherwise need more than MAX_PARTS parts. */
  partSize: number;
}

export interface PartPlan {
  /** False when the file goes up whole, as the one part of its multipart upload. */
  isChunked: boolean;
  /** Bytes per chunk; for a file sent whole, the file size. */
  chunkSize: number;
  totalChunks: number;
}

/** Largest file that can be uploaded at all under S3's limits. */
export const MAX_UPLOAD_SIZE = MAX_PARTS * MAX_PART_SIZE;

export function planUpload(size: number, options: PartPlanOptions): PartPlan {
  if (!Number.isSafeInteger(size) || size < 1)
    throw new RangeError(`file size must be a positive integer, got ${size}`);
  if (size > MAX_UPLOAD_SIZE)
    throw new RangeError(`file size ${size} exceeds the S3 limit of ${MAX_UPLOAD_SIZE} bytes`);
  // A file sent whole is one part: S3 refuses a part over 5 GiB, whatever singleUploadMax is set to.
  if (size <= Math.min(options.singleUploadMax, MAX_PART_SIZE))
    return { isChunked: false, chunkSize: size, totalChunks: 1 };
  const chunkSize = partSizeFor(size, options.partSize);
  return { isChunked: true, chunkSize, totalChunks: Math.ceil(size / chunkSize) };
}

/** The preferred part size, at least MIN_PART_SIZE, raised (in whole MiB) so that no more than MAX_PARTS are needed. */
export function partSizeFor(size: number, preferred: number): number {
  let partSize = Math.max(preferred, MIN_PART_SIZE);
  if (Math.ceil(size / partSize) > MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS / MiB) * MiB;
  return Math.min(partSize, MAX_PART_SIZE);
}

/** Byte range [start, end) of chunk `index`. */
export function chunkRange(
  plan: Pick<PartPlan, 'chunkSize' | 'totalChunks'>,
  size: number,
  index: number,
): { start: number; end: number } {
  if (!Number.isInteger(index) || index < 0 || index >= plan.totalChunks) {
    throw new RangeError(`chunk index ${index} is outside 0..${plan.totalChunks - 1}`);
  }
  const start = index * plan.chunkSize;
  return { start, end: Math.min(size, start + plan.chunkSize) };
}

/** Length in bytes of chunk `index`. */
export function chunkLength(plan: Pick<PartPlan, 'chunkSize' | 'totalChunks'>, size: number, index: number): number {
  const { start, end } = chunkRange(plan, size, index);
  return end - start;
}
