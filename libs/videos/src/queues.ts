/** Queues that only the worker feeds, and the list a worker must consume. */
import { VIDEO_PROCESSING_QUEUE } from './jobs.js';

/** The cleanup of abandoned uploads: a repeatable job every worker schedules (idempotently). */
export const UPLOAD_CLEANUP_QUEUE = 'upload-cleanup';

/** Every queue a worker consumes; it refuses to start when one of them has no handler. */
export const WORKER_QUEUES: readonly string[] = [VIDEO_PROCESSING_QUEUE, UPLOAD_CLEANUP_QUEUE];
