/** Public API of libs/uploads, the upload use cases: apps import from '#uploads' only. */
export { UploadsModule } from './uploads.module.js';
export { UPLOAD_SETTINGS, type UploadSettings } from './upload-settings.js';
export { type FieldProblem, noChannels, UploadError, UploadErrorCode, validationFailed } from './upload-error.js';
export { mayUploadTo, type Uploader } from './uploader.js';
export { SOURCE_KEY_PREFIX, sourceKey, thumbnailKey } from './storage-keys.js';
export {
  processVideoJobId,
  type ProcessVideoJobData,
  UPLOAD_CLEANUP_QUEUE,
  VIDEO_PROCESSING_QUEUE,
  WEBHOOK_DELIVERY_QUEUE,
  webhookJobId,
  type WebhookJobData,
  WORKER_QUEUES,
} from './jobs.js';
export { EVENT_SETTINGS, type EventSettings } from './events/event-settings.js';
export {
  BATCH_EVENT_TYPES,
  type BatchEvent,
  type BatchEventType,
  type LoggedBatchEvent,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventType,
} from './events/batch-event.js';
export { BatchEventLog, EVENT_ID } from './events/batch-event-log.js';
export { BatchNotifier } from './events/batch-notifier.js';
export { type BatchWatch, WatchBatch, type WatchBatchCommand } from './use-cases/watch-batch.use-case.js';
export { MintEventsToken, type MintEventsTokenCommand } from './use-cases/mint-events-token.use-case.js';
export {
  type CreateWebhookCommand,
  ManageWebhooks,
  MAX_WEBHOOKS_PER_OWNER,
} from './use-cases/manage-webhooks.use-case.js';
export { isPrivateAddress, PrivateAddressError, privateHostOf, publicOnlyLookup } from './webhooks/webhook-address.js';
export { bullPrefix, QueuesModule } from './queues.module.js';
export { VideoProcessingQueue } from './video-processing.queue.js';
export {
  type FileToUpload,
  InitBatch,
  type InitBatchCommand,
  type InitializedUpload,
} from './use-cases/init-batch.use-case.js';
export { SHA256_HEX } from './declared-sha256.js';
export {
  type ChunkBody,
  ReceiveChunk,
  type ReceiveChunkCommand,
  type ReceivedChunk,
} from './use-cases/receive-chunk.use-case.js';
export {
  RetryFailedChunks,
  type RetryFailedChunksCommand,
  type RetryUrl,
} from './use-cases/retry-failed-chunks.use-case.js';
export { CompleteUpload, type CompleteUploadCommand } from './use-cases/complete-upload.use-case.js';
export { AbortUpload, type AbortedUpload, type AbortUploadCommand } from './use-cases/abort-upload.use-case.js';
export { ReadProgress, type ReadProgressCommand, type UploadProgress } from './use-cases/read-progress.use-case.js';
export { BATCH_STATES, type BatchState, batchState, type FileOutcome } from './batch-state.js';
export {
  type BatchFile,
  type BatchFileStatus,
  type BatchProgress,
  ReadBatch,
  type ReadBatchCommand,
} from './use-cases/read-batch.use-case.js';
export {
  type BatchCompletion,
  type BatchFileCompletion,
  CompleteBatch,
  type CompleteBatchCommand,
} from './use-cases/complete-batch.use-case.js';
export {
  ExpireUploads,
  type ExpireUploadsCommand,
  type ExpireUploadsResult,
} from './use-cases/expire-uploads.use-case.js';
export { AbortOrphanUploads, type AbortOrphanUploadsResult } from './use-cases/abort-orphan-uploads.use-case.js';
export {
  RequeueUnprocessedVideos,
  type RequeueUnprocessedVideosCommand,
  type RequeueUnprocessedVideosResult,
} from './use-cases/requeue-unprocessed-videos.use-case.js';
export { AccessTokens, type MintedToken } from './access-tokens.js';
export {
  StartClientSizedUpload,
  type StartClientSizedUploadCommand,
} from './use-cases/start-client-sized-upload.use-case.js';
export {
  SignClientParts,
  type SignClientPartsCommand,
  type SignedClientParts,
} from './use-cases/sign-client-parts.use-case.js';
export { ListClientParts, type ListClientPartsCommand } from './use-cases/list-client-parts.use-case.js';
export { StoreClientPart, type StoreClientPartCommand } from './use-cases/store-client-part.use-case.js';
export { type DependencyCheck, Readiness, READINESS_TIMEOUT_MS, type ReadinessReport } from './readiness.js';
export {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  formatUploadExpires,
  parseByteCount,
  parseUploadChecksum,
  parseUploadMetadata,
  TUS_CONTENT_TYPE,
  TUS_EXTENSIONS,
  TUS_VERSION,
  type UploadChecksum,
} from './tus/tus-protocol.js';
export { tusPartialKey } from './tus/tus-spools.js';
export type { TusUpload } from './tus/tus-upload.js';
export { CreateTusUpload, type CreateTusUploadCommand, tusMaxSize } from './use-cases/create-tus-upload.use-case.js';
export { WriteTusUpload, type WriteTusUploadCommand } from './use-cases/write-tus-upload.use-case.js';
export { ReadTusUpload, type ReadTusUploadCommand } from './use-cases/read-tus-upload.use-case.js';
export { TerminateTusUpload, type TerminateTusUploadCommand } from './use-cases/terminate-tus-upload.use-case.js';
