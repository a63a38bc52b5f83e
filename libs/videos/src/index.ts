export { UploadBatch } from './entities/upload-batch.entity.js';
export { UploadSession, type SessionState } from './entities/upload-session.entity.js';
export { Video, VIDEO_STATUSES, type VideoStatus } from './entities/video.entity.js';
export { videosDataSourceOptions, ENTITIES, MIGRATIONS } from './data-source.js';
export { UploadSessionRepository, type NewUploadSession, type NewVideo } from './upload-session.repository.js';
export { VideosModule } from './videos.module.js';
export { ensureDatabase } from './ensure-database.js';
export type { VideoMetadata, ProcessedVideo, VideoProcessingField } from './entities/video.entity.js';
export type { ExpireOutcome } from './upload-session.repository.js';
