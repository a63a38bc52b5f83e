/**
 * Every Prometheus metric Reelay exports, in one place, on prom-client's default registry. Each process
 * (an API, a worker) exports what it saw; Prometheus adds the instances up. Labels hold route patterns,
 * operations, queues and outcomes only, never an id or a URL, so that the number of series stays small.
 *
 * Gauges read at scrape time (open sessions, queue depth) are registered by the app that can read them
 * (scrape-gauges.ts).
 */
import { collectDefaultMetrics, Counter, Histogram, register } from 'prom-client';

/** Seconds; from a progress poll (a millisecond) to a 2 GiB chunk streamed to storage (minutes). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 180, 600];

/** HTTP requests by method, route pattern (`unmatched` for no route) and status. */
export const httpRequestDuration = new Histogram({
  name: 'reelay_http_request_duration_seconds',
  help: 'HTTP requests by method, route pattern and status: time from the request to the end of the answer',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
});

/** Body bytes the streaming routes (chunks, tus PATCH, Uppy's form) read from clients. */
export const requestBodyBytes = new Counter({
  name: 'reelay_http_request_body_bytes_total',
  help: 'Upload bytes received from clients by the streaming routes, by route pattern',
  labelNames: ['route'] as const,
});

export const uploadsStarted = new Counter({
  name: 'reelay_uploads_started_total',
  help: 'Upload sessions created, by front door (batch: init, tus: tus creation, uppy: Uppy routes)',
  labelNames: ['via'] as const,
});

export const uploadsCompleted = new Counter({
  name: 'reelay_uploads_completed_total',
  help: 'Uploads completed into a video (counted once per upload)',
});

export const uploadsAborted = new Counter({
  name: 'reelay_uploads_aborted_total',
  help: 'Uploads given up by their client (abort, tus termination, Uppy cancel)',
});

export const uploadsExpired = new Counter({
  name: 'reelay_uploads_expired_total',
  help: 'Uploads expired by the cleanup, never completed (counted by the worker)',
});

export const uploadsFailed = new Counter({
  name: 'reelay_uploads_failed_total',
  help: 'Uploaded videos whose processing failed for good (counted by the worker), by reason',
  labelNames: ['reason'] as const,
});

export const storageDuration = new Histogram({
  name: 'reelay_storage_operation_duration_seconds',
  help: 'Calls to object storage by operation and outcome (ok or error)',
  labelNames: ['operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const storageErrors = new Counter({
  name: 'reelay_storage_errors_total',
  help: 'Failed calls to object storage by operation and error code',
  labelNames: ['operation', 'code'] as const,
});

export const jobDuration = new Histogram({
  name: 'reelay_job_duration_seconds',
  help: 'Jobs run by the worker, by queue and outcome (completed, failed, released)',
  labelNames: ['queue', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const jobFailures = new Counter({
  name: 'reelay_job_failures_total',
  help: 'Job attempts that failed, by queue (a failed attempt may be retried)',
  labelNames: ['queue'] as const,
});

let processMetrics = false;

/** Adds Node's own metrics (CPU, memory, event loop delay, handles) once per process. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics();
}

/** The registry's text exposition format and its content type. */
export async function metricsExposition(): Promise<{ contentType: string; text: string }> {
  return { contentType: register.contentType, text: await register.metrics() };
}
