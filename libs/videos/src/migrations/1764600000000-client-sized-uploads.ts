import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Uploads whose parts the client sizes (Uppy's S3 plugin through the Companion routes), and the access
 * tokens that such clients carry in their endpoint URL instead of an Authorization header.
 */
export class ClientSizedUploads1764600000000 implements MigrationInterface {
  name = 'ClientSizedUploads1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions ADD COLUMN part_sizing varchar(8) NOT NULL DEFAULT 'server'`);
    // A client-sized session has no size or chunk count until completion records them (0 until then).
    await q.query(`ALTER TABLE upload_sessions DROP CONSTRAINT upload_sessions_size_check`);
    await q.query(`ALTER TABLE upload_sessions DROP CONSTRAINT upload_sessions_total_chunks_check`);
    await q.query(`
      ALTER TABLE upload_sessions ADD CONSTRAINT upload_sessions_plan_check CHECK (
        (part_sizing = 'server' AND size > 0 AND total_chunks BETWEEN 1 AND 10000)
        OR (part_sizing = 'client' AND size >= 0 AND total_chunks BETWEEN 0 AND 10000)
      )`);
    await q.query(`
      CREATE TABLE access_tokens (
        token_hash char(64) PRIMARY KEY,
        purpose varchar(16) NOT NULL,
        owner_id varchar(255) NOT NULL,
        channels jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX access_tokens_expiry ON access_tokens (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE access_tokens`);
    await q.query(`DELETE FROM upload_sessions WHERE part_sizing = 'client'`);
    await q.query(`ALTER TABLE upload_sessions DROP CONSTRAINT upload_sessions_plan_check`);
    await q.query(`ALTER TABLE upload_sessions DROP COLUMN part_sizing`);
    await q.query(`ALTER TABLE upload_sessions ADD CONSTRAINT upload_sessions_size_check CHECK (size > 0)`);
    await q.query(
      `ALTER TABLE upload_sessions ADD CONSTRAINT upload_sessions_total_chunks_check CHECK (total_chunks BETWEEN 1 AND 10000)`,
    );
  }
}
