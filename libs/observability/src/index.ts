/** Public API of libs/observability: logs (pino, one JSON object per line) and Prometheus metrics. */
export * from './metrics.js';
export { answerScrape, METRICS_PATH, scrapeAllowed, startMetricsServer } from './metrics-endpoint.js';
export {
  announce,
  contextLogger,
  createRootLogger,
  installLogger,
  logFatal,
  type LogFormat,
  type LoggerSettings,
  withLogContext,
} from './logger.js';
export { loggableUrl, REDACTED, redactSecrets } from './redact.js';
export { REQUEST_ID_HEADER, requestIdFrom } from './request-id.js';
