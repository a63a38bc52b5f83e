import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every batch, upload session and video belongs to the user (JWT `sub`) that created it. Rows from
 * before ownership existed belong to nobody ('') and so are invisible to every user.
 */
export class Ownership1764300000000 implements MigrationInterface {
  name = 'Ownership1764300000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['upload_batches', 'upload_sessions', 'videos']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN owner_id varchar(255) NOT NULL DEFAULT ''`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN owner_id DROP DEFAULT`);
    }
    // The per-user cap on open sessions counts these.
    await q.query(`CREATE INDEX upload_sessions_owner_open ON upload_sessions (owner_id) WHERE state = 'open'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX upload_sessions_owner_open`);
    for (const table of ['videos', 'upload_sessions', 'upload_batches'])
      await q.query(`ALTER TABLE ${table} DROP COLUMN owner_id`);
  }
}
