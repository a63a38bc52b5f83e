/**
 * Reelay's SDK, for browsers and Node 20+: the environment-free core. `browser.ts` and `node.ts` add
 * each environment's transport, network state and resume store; import one of them.
 */
export { Reelay, type BatchResult, type FileResult, type ReelayOptions, type UploadBatchOptions } from './reelay.js';
export {
  ReelayApi,
  type ApiOptions,
  type CompletedVideo,
  type RetryUrl,
  type TokenSource,
  type UploadProgress,
  type UploadSession,
  type VideoDetails,
} from './api.js';
export { ReelayError, type ApiErrorCode, type ClientErrorCode } from './errors.js';
export type { BatchProgress, FileProgress, FileState, UploadEvent } from './progress.js';
export {
  BatchWatch,
  type EventSourceConstructor,
  type EventSourceLike,
  SERVER_EVENT_TYPES,
  type ServerEvent,
  type ServerEventType,
  type WatchOptions,
} from './events.js';
export {
  MemoryResumeStore,
  WebStorageResumeStore,
  fingerprint,
  type ResumeRecord,
  type ResumeStore,
  type UploadSource,
  type WebStorageLike,
} from './resume-store.js';
export type { Connectivity, SendRequest, SendResult, Transport } from './transport.js';
export { DEFAULT_RETRY, type RetryPolicy } from './backoff.js';
export type { Sha256Hasher } from './sha256.js';
