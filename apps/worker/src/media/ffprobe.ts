/** Runs ffprobe over a (presigned) URL: it reads only the byte ranges it needs, never the whole file. */
import { inputOptions } from './ffmpeg-input.js';
import { MediaToolError, VideoRejectedError, rejectionReason } from './media.error.js';
import type { ProbeReport } from './probe-report.js';
import { runTool } from './run-tool.js';

export interface ToolLimits {
  timeoutMs: number;
  signal?: AbortSignal;
}

export async function probe(url: string, limits: ToolLimits): Promise<ProbeReport> {
  const args = [
    '-v',
    'error',
    '-hide_banner',
    ...inputOptions(),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    url,
  ];
  try {
    const { stdout } = await runTool('ffprobe', args, { ...limits, maxStdoutBytes: 4 * 1024 * 1024 });
    return JSON.parse(stdout.toString('utf8')) as ProbeReport;
  } catch (error) {
    throw asRejection(error);
  }
}

/** A tool failure that shows a problem of the file becomes a VideoRejectedError; others stay as they are. */
export function asRejection(error: unknown): unknown {
  if (!(error instanceof MediaToolError)) return error;
  const reason = rejectionReason(error.stderr);
  return reason ? new VideoRejectedError(reason) : error;
}
