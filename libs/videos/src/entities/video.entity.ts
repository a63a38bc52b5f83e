import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintToNumber } from './bigint.transformer.js';

/** uploaded -> processing -> ready | failed (the worker moves it on): the one list. */
export const VIDEO_STATUSES = ['uploaded', 'processing', 'ready', 'failed'] as const;
export type VideoStatus = (typeof VIDEO_STATUSES)[number];

/** A video whose bytes are whole in storage. Its id is the fileId its upload session announced. */
@Entity('videos')
export class Video {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'upload_id', type: 'uuid', unique: true }) uploadId: string;
  @Column({ name: 'channel_id', type: 'varchar', length: 255 }) channelId: string;
  /** The user (JWT `sub`) it belongs to; nobody else sees it. */
  @Column({ name: 'owner_id', type: 'varchar', length: 255 }) ownerId: string;
  @Column({ type: 'varchar', length: 1024 }) filename: string;
  @Column({ type: 'bigint', transformer: bigintToNumber }) size: number;
  @Column({ name: 'content_type', type: 'varchar', length: 255 }) contentType: string;
  @Column({ name: 'storage_key', type: 'varchar', length: 1024 }) storageKey: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) etag: string | null;
  @Column({ type: 'varchar', length: 16, default: 'uploaded' }) status: VideoStatus;
  /**
   * Hex SHA-256 of the whole file as the client declared it at init (null: none). The worker fails the
   * video with CHECKSUM_MISMATCH when the stored object hashes otherwise.
   */
  @Column({ name: 'declared_sha256', type: 'char', length: 64, nullable: true }) declaredSha256: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;

  // What the worker learns; all null until the video is `ready`.
  @Column({ name: 'duration_seconds', type: 'double precision', nullable: true }) durationSeconds: number | null;
  /** Display size: a video recorded rotated by 90 degrees reports its upright width and height. */
  @Column({ type: 'integer', nullable: true }) width: number | null;
  @Column({ type: 'integer', nullable: true }) height: number | null;
  /** ffmpeg codec names, e.g. h264, hevc, vp9; aac, opus. */
  @Column({ name: 'video_codec', type: 'varchar', length: 64, nullable: true }) videoCodec: string | null;
  /** Null when the video has no sound. */
  @Column({ name: 'audio_codec', type: 'varchar', length: 64, nullable: true }) audioCodec: string | null;
  /** Bits per second over the whole file. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintToNumber }) bitrate: number | null;
  /** mp4, mov, matroska, webm, avi, ... */
  @Column({ type: 'varchar', length: 64, nullable: true }) container: string | null;
  /** Hex SHA-256 of the whole object. */
  @Column({ type: 'char', length: 64, nullable: true }) sha256: string | null;
  @Column({ name: 'thumbnail_key', type: 'varchar', length: 1024, nullable: true }) thumbnailKey: string | null;
  /** Why processing failed, for a person. */
  @Column({ name: 'failure_reason', type: 'text', nullable: true }) failureReason: string | null;
  @Column({ name: 'processing_started_at', type: 'timestamptz', nullable: true }) processingStartedAt: Date | null;
  /** When the video became `ready` or `failed`. */
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt: Date | null;
}

/** What processing records on a ready video. */
export type VideoMetadata = Pick<
  Video,
  'durationSeconds' | 'width' | 'height' | 'videoCodec' | 'audioCodec' | 'bitrate' | 'container'
>;
export type ProcessedVideo = VideoMetadata & Pick<Video, 'sha256' | 'thumbnailKey'>;
/** Columns only the worker writes; a new Video starts without them. */
export type VideoProcessingField = keyof ProcessedVideo | 'failureReason' | 'processingStartedAt' | 'processedAt';
