/**
 * The state of a batch, from the states of its files' upload sessions (issue 19: the batch as a unit).
 * A pure rule, table-tested in batch-state.spec.ts; GET /batch/:batchId answers it.
 */
import type { SessionState } from '#videos';

/** Every state a batch shows its client: the one list (the API's answer and the OpenAPI document read it). */
export const BATCH_STATES = ['uploading', 'completed', 'partially_failed', 'expired', 'aborted'] as const;
export type BatchState = (typeof BATCH_STATES)[number];

/**
 * What became of one file's upload: its session's state, with an open session past its expiry counted
 * as `expired` whether the cleanup ran or not (as every route answers it: 410 UPLOAD_EXPIRED).
 */
export type FileOutcome = SessionState;

/**
 * The batch's state:
 *  - `uploading` while any file is still open (whatever became of the others: a page may still send
 *    the open ones and complete them), and for a batch of no file (init refuses one; nothing ended);
 *  - `completed` when every file was completed (each has its video);
 *  - `partially_failed` when none is open, some were completed and the others were aborted or expired;
 *  - `aborted` when every file was aborted, `expired` when every file expired; when none was completed
 *    and some were aborted while the others expired, `expired`: the batch as a whole was left to run out.
 * Processing is no part of it: a completed batch's videos may still be processing or have failed to
 * (each file's `videoStatus` says so).
 */
export function batchState(files: readonly FileOutcome[]): BatchState {
  if (files.length === 0 || files.includes('open')) return 'uploading';
  if (files.every((f) => f === 'completed')) return 'completed';
  if (files.includes('completed')) return 'partially_failed';
  return files.every((f) => f === 'aborted') ? 'aborted' : 'expired';
}
