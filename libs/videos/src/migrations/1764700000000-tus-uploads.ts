import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * tus uploads (libs/uploads/src/tus): a session made through the tus routes keeps the bytes it holds
 * durably (its tus offset, which must survive Redis and an API restart and never go backwards) and the
 * Upload-Metadata it was created with, which HEAD answers as it came. Both are null for every other
 * session, and only together.
 */
export class TusUploads1764700000000 implements MigrationInterface {
  name = 'TusUploads1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions ADD COLUMN tus_offset bigint, ADD COLUMN tus_metadata text`);
    await q.query(
      `ALTER TABLE upload_sessions ADD CONSTRAINT upload_sessions_tus_fields ` +
        `CHECK ((tus_offset IS NULL) = (tus_metadata IS NULL) AND (tus_offset IS NULL OR tus_offset BETWEEN 0 AND size))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions DROP CONSTRAINT upload_sessions_tus_fields`);
    await q.query(`ALTER TABLE upload_sessions DROP COLUMN tus_metadata, DROP COLUMN tus_offset`);
  }
}
