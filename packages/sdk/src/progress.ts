/**
 * What the SDK reports while a batch uploads: per file and for the batch, bytes sent (stored, plus
 * in flight), percent, speed and time left, and the file's state. Byte-level: a chunk's bytes count
 * as the transport sends them, and are taken back when the chunk fails.
 */
import type { VideoDetails } from './api.js';
import type { ReelayError } from './errors.js';

export type FileState =
  | 'queued'
  | 'uploading'
  | 'retrying'
  | 'offline'
  | 'completing'
  | 'completed'
  | 'processing'
  | 'ready'
  | 'failed'
  | 'aborted'
  | 'paused';

export interface FileProgress {
  /** The file's place in the batch, 0-based. */
  index: number;
  name: string;
  /** Bytes. */
  size: number;
  state: FileState;
  uploadId?: string;
  /** Known once the upload is completed. */
  videoId?: string;
  /** Bytes stored, plus those of chunks on their way. */
  bytesSent: number;
  /** 0 to 100, with decimals; 100 only once every byte is stored. */
  percent: number;
  /** Over the last few seconds. */
  bytesPerSecond: number;
  /** Null while the speed is unknown or nothing remains. */
  secondsLeft: number | null;
  /** Chunk sends that failed (each is retried until its attempts run out). */
  chunkFailures: number;
  /** Chunks storage already held when this run began: a resumed upload sends only the others. */
  resumedChunks: number;
  /** Once processed: the video with its metadata (`ready`), or its failure reason (`failed`). */
  video?: VideoDetails;
  error?: ReelayError;
}

export interface BatchProgress {
  files: FileProgress[];
  /** Bytes, over every file. */
  size: number;
  bytesSent: number;
  percent: number;
  bytesPerSecond: number;
  secondsLeft: number | null;
}

/** Something that happened, for logs and notifications; progress carries the state. */
export type UploadEvent =
  | { type: 'chunk-failed'; file: number; chunkIndex: number; error: ReelayError; willRetry: boolean }
  /** A chunk that had failed is stored, after `attempts` sends in all. */
  | { type: 'chunk-retried'; file: number; chunkIndex: number; attempts: number }
  | { type: 'resumed'; file: number; uploadId: string; storedChunks: number }
  | { type: 'completed'; file: number; videoId: string }
  | { type: 'processed'; file: number; video: VideoDetails }
  | { type: 'failed'; file: number; error: ReelayError };

/**
 * Bytes per second over a sliding window of samples. Samples are kept at least `spacingMs` apart (a newer
 * one replaces the latest): updates come with every piece of every chunk sent, and a window holding each
 * of them made the meter a large share of an upload's CPU.
 */
export class SpeedMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];

  constructor(
    private readonly windowMs = 5_000,
    private readonly now: () => number = Date.now,
    private readonly spacingMs = 100,
  ) {}

  /** Records the running total of bytes sent and answers the speed. */
  update(totalBytes: number): number {
    const at = this.now();
    const n = this.samples.length;
    if (n >= 2 && at - this.samples[n - 2].at < this.spacingMs) this.samples[n - 1] = { at, bytes: totalBytes };
    else this.samples.push({ at, bytes: totalBytes });
    while (this.samples.length > 2 && at - this.samples[0].at > this.windowMs) this.samples.shift();
    const first = this.samples[0];
    const elapsed = (at - first.at) / 1000;
    return elapsed > 0 ? Math.max(0, (totalBytes - first.bytes) / elapsed) : 0;
  }
}

export function secondsLeft(remaining: number, bytesPerSecond: number): number | null {
  if (remaining <= 0 || bytesPerSecond <= 0) return null;
  return remaining / bytesPerSecond;
}

export function summarize(files: FileProgress[]): Omit<BatchProgress, 'bytesPerSecond' | 'secondsLeft'> {
  const size = files.reduce((sum, f) => sum + f.size, 0);
  const bytesSent = files.reduce((sum, f) => sum + f.bytesSent, 0);
  return { files, size, bytesSent, percent: size === 0 ? 100 : (bytesSent * 100) / size };
}
