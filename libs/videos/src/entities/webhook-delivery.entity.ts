import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One attempt to deliver one message to one endpoint, and how it went. */
@Entity('webhook_deliveries')
export class WebhookDelivery {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'endpoint_id', type: 'uuid' }) endpointId: string;
  /** The Standard Webhooks `webhook-id`: the same on every attempt of one message. */
  @Column({ name: 'message_id', type: 'varchar', length: 128 }) messageId: string;
  @Column({ name: 'event_type', type: 'varchar', length: 32 }) eventType: string;
  /** 1 for the first attempt. */
  @Column({ type: 'integer' }) attempt: number;
  /** The endpoint's HTTP status; null when it did not answer. */
  @Column({ name: 'status_code', type: 'integer', nullable: true }) statusCode: number | null;
  /** Why the attempt failed (no answer, a timeout, a status other than 2xx); null when it succeeded. */
  @Column({ type: 'text', nullable: true }) error: string | null;
  @Column({ type: 'boolean' }) succeeded: boolean;
  @Column({ name: 'duration_ms', type: 'integer' }) durationMs: number;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt: Date;
}
