import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * A URL an owner registered to receive their events (Standard Webhooks: signed with `secret`). Only the
 * owner sees it; deleting it drops its delivery records.
 */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'owner_id', type: 'varchar', length: 255 }) ownerId: string;
  /** http(s) only. */
  @Column({ type: 'text' }) url: string;
  /** The signing secret, `whsec_` and base64 (Standard Webhooks); answered once, at creation. */
  @Column({ type: 'varchar', length: 128 }) secret: string;
  /** The event types it receives. */
  @Column({ type: 'jsonb' }) events: string[];
  @Column({ type: 'varchar', length: 255, nullable: true }) description: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
