import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import type { UploadSession } from './upload-session.entity.js';

/** The files a user selected together; one init call creates one batch. */
@Entity('upload_batches')
export class UploadBatch {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'channel_id', type: 'varchar', length: 255 }) channelId: string;
  /** The user (JWT `sub`) it belongs to; nobody else sees it. */
  @Column({ name: 'owner_id', type: 'varchar', length: 255 }) ownerId: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @OneToMany('UploadSession', 'batch') sessions?: UploadSession[];
}
