import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live events and webhooks (issue 19): an access token may be bound to one thing (the batch whose event
 * stream it opens); owners register webhook endpoints, and every delivery attempt to one is recorded.
 */
export class WebhooksAndEventTokens1764900000000 implements MigrationInterface {
  name = 'WebhooksAndEventTokens1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE access_tokens ADD COLUMN scope varchar(64)`);
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        owner_id varchar(255) NOT NULL,
        url text NOT NULL CHECK (url ~ '^https?://'),
        secret varchar(128) NOT NULL,
        events jsonb NOT NULL,
        description varchar(255),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id, created_at)`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        message_id varchar(128) NOT NULL,
        event_type varchar(32) NOT NULL,
        attempt integer NOT NULL CHECK (attempt >= 1),
        status_code integer,
        error text,
        succeeded boolean NOT NULL,
        duration_ms integer NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, attempted_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DELETE FROM access_tokens WHERE scope IS NOT NULL`);
    await q.query(`ALTER TABLE access_tokens DROP COLUMN scope`);
  }
}
