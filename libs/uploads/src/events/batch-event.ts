/**
 * What happens to a batch, as its live event stream (Server-Sent Events) and its webhooks tell it. One
 * list of types; each event names its batch, and its upload and video when it has them.
 */
import type { UploadStatus } from '#progress';

/** Every event type; the webhook ones are WEBHOOK_EVENT_TYPES. */
export const BATCH_EVENT_TYPES = [
  'progress',
  'chunk.failed',
  'upload.completed',
  'upload.aborted',
  'processing.started',
  'video.ready',
  'video.failed',
  'batch.completed',
] as const;
export type BatchEventType = (typeof BATCH_EVENT_TYPES)[number];

/** The events an owner's webhook endpoints may receive. */
export const WEBHOOK_EVENT_TYPES = ['upload.completed', 'video.ready', 'video.failed', 'batch.completed'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface ProgressEvent {
  type: 'progress';
  batchId: string;
  uploadId: string;
  /** Whole percent of the file's bytes stored. */
  progress: number;
  status: UploadStatus;
  completedCount: number;
  totalChunks: number;
  /** Bytes stored so far. */
  bytesStored: number;
  failedChunks: number[];
}

export interface ChunkFailedEvent {
  type: 'chunk.failed';
  batchId: string;
  uploadId: string;
  /** 0-based chunk indices; send them again (or ask /retry for URLs). */
  chunks: number[];
  reason: string;
}

export interface UploadCompletedEvent {
  type: 'upload.completed';
  batchId: string;
  uploadId: string;
  videoId: string;
  filename: string;
  /** Bytes. */
  size: number;
  contentType: string;
}

export interface UploadAbortedEvent {
  type: 'upload.aborted';
  batchId: string;
  uploadId: string;
}

export interface ProcessingStartedEvent {
  type: 'processing.started';
  batchId: string;
  uploadId: string;
  videoId: string;
}

export interface VideoMetadataOfEvent {
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  bitrate: number | null;
  container: string | null;
  sha256: string | null;
}

export interface VideoReadyEvent {
  type: 'video.ready';
  batchId: string;
  uploadId: string;
  videoId: string;
  metadata: VideoMetadataOfEvent;
  /** Signed when the event was made, valid THUMBNAIL_URL_TTL_SECONDS; GET /api/v1/videos/:id signs a fresh one. */
  thumbnailUrl: string | null;
}

export interface VideoFailedEvent {
  type: 'video.failed';
  batchId: string;
  uploadId: string;
  videoId: string;
  /** Why, for a person. */
  reason: string;
}

export interface BatchCompletedEvent {
  type: 'batch.completed';
  batchId: string;
  /** Every file of the batch: completed (with its video), aborted or expired. */
  uploads: Array<{ uploadId: string; filename: string; state: string; videoId: string | null }>;
}

export type BatchEvent =
  | ProgressEvent
  | ChunkFailedEvent
  | UploadCompletedEvent
  | UploadAbortedEvent
  | ProcessingStartedEvent
  | VideoReadyEvent
  | VideoFailedEvent
  | BatchCompletedEvent;

/** An event as the batch's log keeps it: its id there (the SSE `id`, e.g. `1764900000000-0`) and when. */
export interface LoggedBatchEvent {
  id: string;
  /** ISO time the event was logged. */
  at: string;
  event: BatchEvent;
}

/** The thumbnail URL in a `video.ready` event lives this long (seconds), as GET /videos/:id's. */
export const THUMBNAIL_URL_TTL_SECONDS = 15 * 60;

/** Whether an event is also sent to webhooks. */
export function isWebhookEvent(event: BatchEvent): event is BatchEvent & { type: WebhookEventType } {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The message id of a webhook event, the same for every attempt and for the event made twice (a repeated
 * completion): the type and the thing it is about. Standard Webhooks receivers dedupe on it.
 */
export function webhookMessageId(event: BatchEvent & { type: WebhookEventType }): string {
  const about =
    event.type === 'batch.completed'
      ? event.batchId
      : event.type === 'upload.completed'
        ? event.uploadId
        : event.videoId;
  return `msg_${event.type.replace('.', '_')}_${about}`;
}
