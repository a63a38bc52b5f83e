import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Batches, upload sessions and videos. */
export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE upload_batches (
        id uuid PRIMARY KEY,
        channel_id varchar(255) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE upload_sessions (
        id uuid PRIMARY KEY,
        batch_id uuid NOT NULL REFERENCES upload_batches(id) ON DELETE CASCADE,
        file_id uuid NOT NULL UNIQUE,
        channel_id varchar(255) NOT NULL,
        filename varchar(1024) NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        content_type varchar(255) NOT NULL,
        storage_key varchar(1024) NOT NULL UNIQUE,
        storage_upload_id text,
        is_chunked boolean NOT NULL,
        chunk_size bigint NOT NULL,
        total_chunks integer NOT NULL CHECK (total_chunks BETWEEN 1 AND 10000),
        state varchar(16) NOT NULL DEFAULT 'open',
        urls_expire_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        completed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX upload_sessions_batch ON upload_sessions (batch_id)`);
    await q.query(`CREATE INDEX upload_sessions_open_expiry ON upload_sessions (expires_at) WHERE state = 'open'`);
    await q.query(`
      CREATE TABLE videos (
        id uuid PRIMARY KEY,
        upload_id uuid NOT NULL UNIQUE REFERENCES upload_sessions(id),
        channel_id varchar(255) NOT NULL,
        filename varchar(1024) NOT NULL,
        size bigint NOT NULL,
        content_type varchar(255) NOT NULL,
        storage_key varchar(1024) NOT NULL,
        etag varchar(255),
        status varchar(16) NOT NULL DEFAULT 'uploaded',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX videos_channel ON videos (channel_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE videos`);
    await q.query(`DROP TABLE upload_sessions`);
    await q.query(`DROP TABLE upload_batches`);
  }
}
