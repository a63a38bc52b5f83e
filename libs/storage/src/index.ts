/** Public API of libs/storage: apps import from '#storage' only. */
export { ObjectStorage, type CompletedPart, type ObjectHead, type PartToSign, type PresignPutOptions, type StoredPart } from './object-storage.js';
export { StorageError, StorageErrorCode } from './storage.error.js';
export * from './part-plan.js';
export { PartSigningPool } from './part-signing.pool.js';
export { arePlainUrls } from './plain-urls.js';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3.object-storage.js';
export { createS3Client, emptyBucket, ensureBucket, type S3ConnectionOptions } from './s3-client.js';
export { DiskObjectStorage, type DiskObjectStorageOptions } from './disk.object-storage.js';
export { StorageModule, STORAGE_S3_CLIENTS, type StorageConfig, type StorageModuleOptions } from './storage.module.js';
