/**
 * The files the multi-process tests upload: real videos (so that the worker makes each one `ready`) of
 * a chosen size, made in milliseconds. Uncompressed noise in Matroska needs no encoding: ffmpeg copies
 * /dev/urandom into frames, so every file is unique and about as large as asked.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sha256 } from './files.js';

const run = promisify(execFile);

const WIDTH = 320;
const HEIGHT = 240;
/** One 8-bit grey frame. */
const FRAME_BYTES = WIDTH * HEIGHT;

export interface SourceFile {
  name: string;
  bytes: Buffer;
  sha256: string;
  type: string;
  /** How the client sends its parts: PUT to presigned URLs, or POST through the API. */
  via: 'presigned' | 'api';
}

/** A Matroska rawvideo file of about `size` bytes (whole frames, plus a few hundred bytes of container). */
export async function makeNoiseVideo(size: number): Promise<Buffer> {
  const frames = Math.max(2, Math.floor(size / FRAME_BYTES));
  // A file, not a pipe: the muxer seeks back to write the duration the worker's probe needs.
  const dir = await mkdtemp(join(tmpdir(), 'reelay-noise-'));
  const out = join(dir, 'noise.mkv');
  try {
    await run('ffmpeg', [
      ...['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', `${WIDTH}x${HEIGHT}`, '-r', '10'],
      ...['-i', '/dev/urandom', '-frames:v', String(frames), '-c:v', 'rawvideo', out],
    ]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function sourceFile(name: string, size: number, via: SourceFile['via']): Promise<SourceFile> {
  const bytes = await makeNoiseVideo(size);
  return { name, bytes, sha256: sha256(bytes), type: 'video/x-matroska', via };
}
