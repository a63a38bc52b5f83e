/**
 * The queues between the API and the worker, defined once: their names, job payloads and job ids.
 * The API feeds `video-processing` (complete); only the worker feeds `upload-cleanup` (a schedule);
 * both feed `webhook-delivery` (BatchNotifier, whenever a webhook event happens).
 */
import type { BatchEvent, WebhookEventType } from './events/batch-event.js';

export const VIDEO_PROCESSING_QUEUE = 'video-processing';
/** The cleanup of abandoned uploads: a repeatable job every worker schedules (idempotently). */
export const UPLOAD_CLEANUP_QUEUE = 'upload-cleanup';
/** One job per webhook message and endpoint; retried with WEBHOOK_ATTEMPTS and WEBHOOK_BACKOFF_MS. */
export const WEBHOOK_DELIVERY_QUEUE = 'webhook-delivery';
/** Every queue a worker consumes; it refuses to start when one of them has no handler. */
export const WORKER_QUEUES: readonly string[] = [VIDEO_PROCESSING_QUEUE, UPLOAD_CLEANUP_QUEUE, WEBHOOK_DELIVERY_QUEUE];

export interface ProcessVideoJobData {
  videoId: string;
  /** X-Request-Id of the request that queued it (complete), for the worker's log lines of the job. */
  requestId?: string;
}

/** One processing job per video: adding it again while it exists is a no-op (BullMQ dedupes by id). */
export const processVideoJobId = (videoId: string): string => `process-${videoId}`;

export interface WebhookJobData {
  endpointId: string;
  /** The Standard Webhooks `webhook-id`: one per event, the same on every attempt. */
  messageId: string;
  /** ISO time of the event (the payload's `timestamp`). */
  at: string;
  event: BatchEvent & { type: WebhookEventType };
}

/** One job per message and endpoint: the same event made twice is delivered once (BullMQ dedupes by id). */
export const webhookJobId = (endpointId: string, messageId: string): string => `webhook-${endpointId}-${messageId}`;
