/** What the CLI prints at the end: a table for people, or one JSON document for scripts. */
import type { BatchResult, FileResult } from '../../sdk/src/node.js';
import { size } from './units.js';

export interface FileSummary {
  file: string;
  bytes: number;
  status: FileResult['status'];
  uploadId: string | null;
  videoId: string | null;
  /** Chunks storage already held when this run began (a resumed upload). */
  resumedChunks: number;
  /** Width x height and duration of a processed video. */
  video: { width: number | null; height: number | null; durationSeconds: number | null } | null;
  /** Why it failed: the API's error code and message, or the processing's failure reason. */
  error: string | null;
}

export function toJson(result: BatchResult): { ok: boolean; files: FileSummary[] } {
  return { ok: result.ok, files: result.files.map(summarize) };
}

function summarize(f: FileResult): FileSummary {
  const details = f.video && 'width' in f.video ? f.video : null;
  return {
    file: f.name,
    bytes: f.size,
    status: f.status,
    uploadId: f.uploadId ?? null,
    videoId: f.videoId ?? null,
    resumedChunks: f.resumedChunks,
    video: details && { width: details.width, height: details.height, durationSeconds: details.durationSeconds },
    error: f.error ? `${f.error.code}: ${f.error.message}` : (details?.failureReason ?? null),
  };
}

export function summaryTable(result: BatchResult): string {
  const rows = result.files
    .map(summarize)
    .map((s) => [
      s.file,
      size(s.bytes),
      s.status,
      s.videoId ?? '-',
      s.video?.width ? `${s.video.width}x${s.video.height} ${s.video.durationSeconds?.toFixed(1)}s` : '',
      s.error ?? '',
    ]);
  const header = ['file', 'size', 'status', 'video', 'media', 'error'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}
