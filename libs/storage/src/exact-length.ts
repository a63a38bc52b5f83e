/**
 * A pass-through stream that lets exactly `expected` bytes through and fails otherwise.
 *
 * Both drivers put it between the caller's body and the destination: a body that ends early or runs
 * long must make the upload fail instead of storing a truncated part (or, over HTTP, leaving the
 * server waiting for bytes that never come). It can also feed an MD5 hash, for the disk driver's ETags.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { MAX_PARTS } from './part-plan.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

export class ExactLengthStream extends Transform {
  private received = 0;
  private readonly hash?: Hash;

  constructor(
    readonly expected: number,
    options: { md5?: boolean } = {},
  ) {
    super();
    if (options.md5) this.hash = createHash('md5');
  }

  get bytesReceived(): number {
    return this.received;
  }

  /** Hex MD5 of everything that passed; only after the stream ended, and only with `md5: true`. */
  md5Hex(): string {
    if (!this.hash) throw new Error('ExactLengthStream was created without md5');
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expected) {
      callback(lengthMismatch(this.expected, `more than ${this.expected}`));
      return;
    }
    this.hash?.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received !== this.expected) callback(lengthMismatch(this.expected, String(this.received)));
    else callback();
  }
}

export function lengthMismatch(expected: number, received: string, cause?: unknown): StorageError {
  return new StorageError(
    StorageErrorCode.LengthMismatch,
    `body length mismatch: expected ${expected} bytes, received ${received}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Rejects lengths that no storage accepts, before any byte moves. */
export function assertLength(contentLength: number): void {
  if (!Number.isSafeInteger(contentLength) || contentLength < 0) {
    throw new RangeError(`content length must be a non-negative integer, got ${contentLength}`);
  }
}

/** S3 part numbers are 1..MAX_PARTS. */
export function assertPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
    throw new RangeError(`part number must be an integer in 1..${MAX_PARTS}, got ${partNumber}`);
  }
}
