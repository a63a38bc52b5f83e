/**
 * The two ways media work fails. A VideoRejectedError means the file itself cannot become a video
 * (not a video, damaged, missing): retrying cannot help, so the job fails at once. A MediaToolError
 * is ffprobe or ffmpeg failing for a reason that may pass (storage unreachable, a timeout): retried.
 */
export class VideoRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'VideoRejectedError';
  }
}

/**
 * The stored object does not hash to the SHA-256 its client declared at init: the bytes were changed
 * or cut on their way. Its message, the video's failureReason, starts with the code and names both.
 */
export class ChecksumMismatchError extends VideoRejectedError {
  constructor(
    readonly declared: string,
    readonly actual: string,
  ) {
    super(`${CHECKSUM_MISMATCH}: the upload declared sha256 ${declared}, the stored file hashes to ${actual}`);
    this.name = 'ChecksumMismatchError';
  }
}

/** The code a checksum failure's reason starts with (the API's tus route answers the same code). */
export const CHECKSUM_MISMATCH = 'CHECKSUM_MISMATCH';

export class MediaToolError extends Error {
  constructor(
    readonly tool: string,
    message: string,
    /** The end of the tool's stderr, for the log. */
    readonly stderr: string,
  ) {
    super(`${tool} failed: ${message}`);
    this.name = 'MediaToolError';
  }
}

/**
 * What ffprobe/ffmpeg print when the bytes themselves are the problem. Anything else (HTTP 5xx, 403
 * of an expired URL, connection refused, timeouts) is taken as transient.
 */
const REJECTIONS: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [
    /\[([\w,]+) @ [^\]]*\] Format not on whitelist/,
    (m) => `the file is not a video: it was detected as ${m[1]}, which is not a video container`,
  ],
  [
    /Invalid data found when processing input/,
    () => 'the file is not a video: no known video container was found in it',
  ],
  [/moov atom not found/, () => 'the video file is incomplete or damaged: its index (moov atom) is missing'],
  [/EBML header parsing failed/, () => 'the video file is damaged: its Matroska header cannot be read'],
];

/** A reason a person can read when stderr shows a problem of the file itself, else null. */
export function rejectionReason(stderr: string): string | null {
  for (const [pattern, reason] of REJECTIONS) {
    const m = stderr.match(pattern);
    if (m) return reason(m);
  }
  return null;
}
