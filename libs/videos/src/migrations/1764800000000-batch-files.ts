import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The batch as a unit (issue 19):
 *  - `upload_sessions.position`: the file's place in its init's `files` (0-based), so that the batch
 *    resource lists files in the order the client sent them (the sessions of one init share created_at).
 *    Null for sessions made before; they are listed after, by id.
 *  - `declared_sha256` on sessions and videos: a whole-file SHA-256 the client may declare at init, kept
 *    on the video its completion makes, where the worker compares it with the hash of the stored object.
 *    Null when none was declared; 64 lowercase hex characters otherwise, as init checks it.
 */
export class BatchFiles1764800000000 implements MigrationInterface {
  name = 'BatchFiles1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions ADD COLUMN position smallint CHECK (position >= 0)`);
    for (const table of ['upload_sessions', 'videos']) {
      await q.query(
        `ALTER TABLE ${table} ADD COLUMN declared_sha256 char(64), ` +
          `ADD CONSTRAINT ${table}_declared_sha256_hex CHECK (declared_sha256 ~ '^[0-9a-f]{64}$')`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['videos', 'upload_sessions']) {
      await q.query(`ALTER TABLE ${table} DROP CONSTRAINT ${table}_declared_sha256_hex, DROP COLUMN declared_sha256`);
    }
    await q.query(`ALTER TABLE upload_sessions DROP COLUMN position`);
  }
}
