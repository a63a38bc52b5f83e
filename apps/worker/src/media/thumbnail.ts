/**
 * Makes one JPEG frame of a video over a (presigned) URL, reading as little of it as it can.
 *
 * With -ss before -i, ffmpeg jumps through the container's index to the key frame at or before the
 * wanted time. Decoding just that key frame reads about one frame of the file; decoding on to the
 * exact time reads up to a whole GOP (8 s of a 30 Mbit/s video is 30 MB). So the key frame is taken
 * when it is at least half way to the wanted time, and only a video whose key frames are too far
 * apart for that (a short clip with one key frame at 0 s) is decoded up to the exact time.
 */
import { inputOptions } from './ffmpeg-input.js';
import { asRejection, type ToolLimits } from './ffprobe.js';
import { runTool } from './run-tool.js';

export interface ThumbnailRequest {
  atSeconds: number;
  /** ffprobe index of the stream to take the frame from (not cover art). */
  streamIndex: number;
  maxWidth: number;
}

export interface Thumbnail {
  jpeg: Buffer;
  /** Time of the frame in the video. */
  atSeconds: number;
}

/** JPEG quality scale of ffmpeg's mjpeg encoder: 2 (best) to 31; 3 looks clean at a few tens of KB. */
const JPEG_QUALITY = 3;

/**
 * The thumbnail, or null when no frame could be decoded (not even the first). `sign` gives a fresh
 * presigned URL for each ffmpeg run.
 */
export async function makeThumbnail(
  sign: () => Promise<string>,
  request: ThumbnailRequest,
  limits: ToolLimits,
): Promise<Thumbnail | null> {
  const keyFrame = await grabFrame(await sign(), request, false, limits);
  if (keyFrame && keyFrame.atSeconds >= request.atSeconds / 2) return keyFrame;
  const exact = await grabFrame(await sign(), request, true, limits);
  if (exact) return exact;
  // The container's duration can promise more than the stream holds: then the first frame.
  return (
    keyFrame ?? (request.atSeconds > 0 ? grabFrame(await sign(), { ...request, atSeconds: 0 }, true, limits) : null)
  );
}

async function grabFrame(
  url: string,
  request: ThumbnailRequest,
  exact: boolean,
  limits: ToolLimits,
): Promise<Thumbnail | null> {
  // Even width and height: JPEG's 4:2:0 chroma needs them, and -2 keeps the aspect ratio.
  // showinfo prints the frame's time (relative to -ss) at log level info, which is how we learn it.
  const filters = `showinfo,scale='min(${request.maxWidth},trunc(iw/2)*2)':-2`;
  const args = [
    '-v',
    'info',
    '-hide_banner',
    '-nostdin',
    '-nostats',
    ...inputOptions(),
    ...(exact ? [] : ['-noaccurate_seek']),
    '-ss',
    request.atSeconds.toFixed(3),
    '-i',
    url,
    '-map',
    `0:${request.streamIndex}`,
    '-frames:v',
    '1',
    '-vf',
    filters,
    // Keep the key frame's timestamp, which is before the seek point: constant frame rate would drop it.
    '-fps_mode',
    'passthrough',
    '-c:v',
    'mjpeg',
    '-q:v',
    String(JPEG_QUALITY),
    '-f',
    'image2pipe',
    'pipe:1',
  ];
  try {
    const { stdout, stderr } = await runTool('ffmpeg', args, { ...limits, maxStdoutBytes: 16 * 1024 * 1024 });
    if (stdout.length === 0) return null;
    return { jpeg: stdout, atSeconds: request.atSeconds + frameOffset(stderr) };
  } catch (error) {
    throw asRejection(error);
  }
}

/** Seconds between the seek point and the first frame, from showinfo's `n: 0 ... pts_time:-2.4`. */
export function frameOffset(stderr: string): number {
  const m = /\bn:\s*0\s.*?\bpts_time:(-?[\d.]+)/.exec(stderr);
  return m ? Number(m[1]) : 0;
}
