/** Queues the API feeds and the worker consumes, with their job payloads. */
export const VIDEO_PROCESSING_QUEUE = 'video-processing';

export interface ProcessVideoJobData {
  videoId: string;
}

/** One processing job per video: adding it again while it exists is a no-op (BullMQ dedupes by id). */
export const processVideoJobId = (videoId: string): string => `process-${videoId}`;
