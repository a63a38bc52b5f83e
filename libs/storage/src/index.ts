/** Public API of libs/storage: apps import from '#storage' only. */
export {
  ObjectStorage,
  type CompletedPart,
  type MultipartUploadInfo,
  type ObjectHead,
  type PartToSign,
  type StoredPart,
} from './object-storage.js';
export { StorageError, StorageErrorCode } from './storage.error.js';
export { InstrumentedObjectStorage } from './instrumented.object-storage.js';
export * from './part-plan.js';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3.object-storage.js';
export { createS3Client, emptyBucket, ensureBucket, type S3ConnectionOptions } from './s3-client.js';
export { applyBrowserCors, browserCorsRule, type BrowserOrigins, missingBrowserCors } from './bucket-cors.js';
export { DISK_STORAGE_PATH, DiskObjectStorage, type DiskObjectStorageOptions } from './disk.object-storage.js';
export { StorageModule, STORAGE_S3_CLIENTS, type StorageConfig, type StorageModuleOptions } from './storage.module.js';
