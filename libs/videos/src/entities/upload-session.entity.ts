import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintToNumber } from './bigint.transformer.js';
import type { UploadBatch } from './upload-batch.entity.js';

/**
 * Durable state of one file's upload. Redis holds only hot progress; everything needed to rebuild it
 * (and to complete the upload) lives here, so losing Redis loses nothing.
 *  - open: URLs handed out, parts may be arriving
 *  - completed: the object is whole and the Video row exists
 *  - expired: abandoned past expiresAt; storage was cleaned up
 *  - aborted: its owner gave it up; storage was cleaned up
 */
export type SessionState = 'open' | 'completed' | 'expired' | 'aborted';

/**
 * Who chooses the parts of the upload.
 *  - server: init planned them (size, chunkSize and totalChunks are known from the start);
 *  - client: the client sends parts of sizes of its own choosing within S3's rules (Uppy's S3 plugin
 *    through the Companion routes, which never says the file size). size, chunkSize and totalChunks
 *    are 0 until completion records the size and part count of what was joined.
 */
export type PartSizing = 'server' | 'client';

@Entity('upload_sessions')
@Index('upload_sessions_open_expiry', ['expiresAt'], { where: `state = 'open'` })
export class UploadSession {
  /** The uploadId clients use. */
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'batch_id', type: 'uuid' }) batchId: string;
  /** The file's place in its init's `files`, 0-based (null for sessions made before it was recorded). */
  @Column({ type: 'smallint', nullable: true }) position: number | null;
  @ManyToOne('UploadBatch', 'sessions', { onDelete: 'CASCADE' }) @JoinColumn({ name: 'batch_id' }) batch?: UploadBatch;
  /** Becomes the id of the Video created at completion. */
  @Column({ name: 'file_id', type: 'uuid', unique: true }) fileId: string;
  @Column({ name: 'channel_id', type: 'varchar', length: 255 }) channelId: string;
  /** The user (JWT `sub`) it belongs to; nobody else sees it. */
  @Column({ name: 'owner_id', type: 'varchar', length: 255 }) ownerId: string;
  /** Display metadata only; never part of a storage key. */
  @Column({ type: 'varchar', length: 1024 }) filename: string;
  @Column({ type: 'bigint', transformer: bigintToNumber }) size: number;
  @Column({ name: 'content_type', type: 'varchar', length: 255 }) contentType: string;
  @Column({ name: 'storage_key', type: 'varchar', length: 1024, unique: true }) storageKey: string;
  /** Storage's id of the multipart upload every file goes up as (a file sent whole is its one part). */
  @Column({ name: 'multipart_upload_id', type: 'text' }) multipartUploadId: string;
  /** Bytes per chunk: chunk i is bytes [i * chunkSize, min(size, (i + 1) * chunkSize)), part i + 1. */
  @Column({ name: 'chunk_size', type: 'bigint', transformer: bigintToNumber }) chunkSize: number;
  @Column({ name: 'total_chunks', type: 'integer' }) totalChunks: number;
  @Column({ name: 'part_sizing', type: 'varchar', length: 8, default: 'server' }) partSizing: PartSizing;
  @Column({ type: 'varchar', length: 16, default: 'open' }) state: SessionState;
  @Column({ name: 'urls_expire_at', type: 'timestamptz' }) urlsExpireAt: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true }) completedAt: Date | null;
  /**
   * tus sessions only (null otherwise): bytes of the file held durably, as the parts of the chunks before
   * floor(tusOffset / chunkSize) and the partial object of the chunk being filled. Never goes backwards.
   */
  @Column({ name: 'tus_offset', type: 'bigint', nullable: true, transformer: bigintToNumber })
  tusOffset: number | null;
  /** tus sessions only (null otherwise): the Upload-Metadata header of the creation, as sent. */
  @Column({ name: 'tus_metadata', type: 'text', nullable: true }) tusMetadata: string | null;
  /** Hex SHA-256 of the whole file as the client declared it at init (null: none); its video keeps it. */
  @Column({ name: 'declared_sha256', type: 'char', length: 64, nullable: true }) declaredSha256: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
