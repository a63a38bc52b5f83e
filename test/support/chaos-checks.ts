/**
 * What the multi-process tests promise for every file, checked the way an operator would check it: the
 * `videos` rows in PostgreSQL, the bytes in the bucket, the workers' logs and the bucket's list of open
 * multipart uploads. Answers a list of problems (empty when every promise holds) and a figures table.
 */
import type { Upload } from './chaos-client.js';
import type { Cluster } from './cluster.js';
import { eventually, sha256OfStream } from './files.js';

interface VideoRow {
  id: string;
  status: string;
  sha256: string | null;
  storage_key: string;
  failure_reason: string | null;
}

export interface FileCheck {
  name: string;
  completed: boolean;
  problems: string[];
}

/**
 * For each upload: exactly one Video row, the one complete answered; `ready`; the worker's sha256 and
 * the bytes read back from storage equal the source's; made ready by exactly one processing run.
 */
export async function checkUploads(cluster: Cluster, uploads: Upload[], timeoutMs: number): Promise<FileCheck[]> {
  const { db } = cluster.stack;
  const rowsOf = async (uploadId: string) =>
    (await db.query<VideoRow>('SELECT * FROM videos WHERE upload_id = $1', [uploadId])).rows;
  const done = (rows: VideoRow[]) =>
    rows.length > 0 && rows.every((r) => r.status === 'ready' || r.status === 'failed');
  const deadline = Date.now() + timeoutMs;
  const checks: FileCheck[] = [];
  for (const upload of uploads) {
    const rows = await eventually(() => rowsOf(upload.uploadId), done, Math.max(0, deadline - Date.now()));
    const problems: string[] = [];
    if (rows.length !== 1) problems.push(`${rows.length} Video rows`);
    const row = rows.find((r) => r.id === upload.videoId);
    if (!row) problems.push(`no Video row ${upload.videoId}`);
    else {
      if (row.status !== 'ready') problems.push(`status ${row.status} ${row.failure_reason ?? ''}`.trim());
      if (row.sha256 !== upload.file.sha256) problems.push(`worker's sha256 ${row.sha256}`);
      const stored = await sha256OfStream(await cluster.stack.storage.readRange(row.storage_key, 0));
      if (stored !== upload.file.sha256) problems.push(`stored bytes' sha256 ${stored}`);
      const runs = cluster.readyRuns(upload.videoId);
      if (runs !== 1) problems.push(`made ready by ${runs} processing runs`);
    }
    checks.push({ name: upload.file.name, completed: Boolean(row), problems });
  }
  return checks;
}

/** Waits (up to the deadline) for the bucket to hold no open multipart upload; answers what is left. */
export function multipartUploadsLeft(cluster: Cluster, timeoutMs: number): Promise<string[]> {
  return eventually(
    () => cluster.openMultipartUploads(),
    (left) => left.length === 0,
    timeoutMs,
  );
}

/** The figures of a run, one per line, as the test output shows them. */
export function figuresTable(title: string, figures: Record<string, string | number>): string {
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  const lines = Object.entries(figures).map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  return [`${title}`, ...lines].join('\n');
}
