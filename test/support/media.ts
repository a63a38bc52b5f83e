/**
 * Media for the worker's tests, made by ffmpeg during the test (no binary fixtures in the repository),
 * and the client side of uploading one file through the API.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ApiClient } from './api-client.js';
import { chunkOf, putTo } from './files.js';

const run = promisify(execFile);

export interface TestVideo {
  seconds: number;
  width: number;
  height: number;
  fps: number;
  /** A 440 Hz tone in AAC when true; no audio stream otherwise. */
  audio: boolean;
}

/** An H.264 MP4 of ffmpeg's test pattern, made exactly as described. */
export async function makeVideo(spec: TestVideo): Promise<Buffer> {
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${spec.fps}`];
  if (spec.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(spec.seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  if (spec.audio) args.push('-c:a', 'aac', '-ac', '2');
  return ffmpegToBuffer(args, 'mp4');
}

/** A single PNG picture: a real media file, but not a video. */
export function makePicture(width: number, height: number): Promise<Buffer> {
  return ffmpegToBuffer(['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}`, '-frames:v', '1'], 'png');
}

async function ffmpegToBuffer(args: string[], extension: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'reelay-media-'));
  const out = join(dir, `out.${extension}`);
  try {
    await run('ffmpeg', ['-v', 'error', '-y', ...args, out]);
    return await readFile(out);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ImageInfo {
  codec: string;
  width: number;
  height: number;
}

/** What ffprobe decodes from the bytes (it reads them from a temp file). */
export async function probeImage(bytes: Buffer): Promise<ImageInfo> {
  const dir = await mkdtemp(join(tmpdir(), 'reelay-probe-'));
  const file = join(dir, 'image');
  try {
    await writeFile(file, bytes);
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', file]);
    const stream = (JSON.parse(stdout) as { streams: Array<{ codec_name: string; width: number; height: number }> })
      .streams[0];
    return { codec: stream.codec_name, width: stream.width, height: stream.height };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface UploadedFile {
  uploadId: string;
  videoId: string;
}

/** Init, PUT every chunk to its presigned URL, complete: the frontend's path for one file. */
export async function uploadFile(
  api: ApiClient,
  bytes: Buffer,
  file: { filename: string; type: string },
): Promise<UploadedFile> {
  const session = await initUpload(api, bytes.length, file);
  for (let i = 0; i < session.totalChunks; i++) {
    const put = await putTo(session.presignedUrls[i], chunkOf(bytes, session.chunkSize, i));
    if (put.status !== 200) throw new Error(`PUT of chunk ${i} answered ${put.status}: ${put.text}`);
  }
  const done = await api.complete(session.uploadId);
  if (done.status !== 200) throw new Error(`complete answered ${done.status}: ${JSON.stringify(done.body)}`);
  return { uploadId: session.uploadId, videoId: done.body.data!.videoId };
}

export interface InitializedUpload {
  uploadId: string;
  fileId: string;
  isChunked: boolean;
  chunkSize: number;
  totalChunks: number;
  presignedUrls: string[];
}

export async function initUpload(
  api: ApiClient,
  size: number,
  file: { filename: string; type: string },
): Promise<InitializedUpload> {
  const res = await api.init({ channel_id: '123', files: [{ ...file, size }] });
  if (res.status !== 201 || !res.body.data) throw new Error(`init answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.data[0];
}
