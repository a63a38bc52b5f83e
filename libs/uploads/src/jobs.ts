/**
 * The queues between the API and the worker, defined once: their names, job payloads and job ids.
 * The API feeds `video-processing` (complete); only the worker feeds `upload-cleanup` (a schedule).
 */
export const VIDEO_PROCESSING_QUEUE = 'video-processing';
/** The cleanup of abandoned uploads: a repeatable job every worker schedules (idempotently). */
export const UPLOAD_CLEANUP_QUEUE = 'upload-cleanup';
/** Every queue a worker consumes; it refuses to start when one of them has no handler. */
export const WORKER_QUEUES: readonly string[] = [VIDEO_PROCESSING_QUEUE, UPLOAD_CLEANUP_QUEUE];

export interface ProcessVideoJobData {
  videoId: string;
  /** X-Request-Id of the request that queued it (complete), for the worker's log lines of the job. */
  requestId?: string;
}

/** One processing job per video: adding it again while it exists is a no-op (BullMQ dedupes by id). */
export const processVideoJobId = (videoId: string): string => `process-${videoId}`;
