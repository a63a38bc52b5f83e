export {
  ProgressStore,
  UPLOAD_STATUSES,
  type UploadStatus,
  type ProgressInit,
  type ProgressSnapshot,
} from './progress.store.js';
export { RedisProgressStore, type RedisProgressStoreOptions } from './redis-progress.store.js';
export { progressPercent, type PercentInput } from './progress-percent.js';
export { ProgressModule, PROGRESS_REDIS, type ProgressModuleOptions } from './progress.module.js';
export { chunkRanges, parseChunkRanges } from './chunk-ranges.js';
