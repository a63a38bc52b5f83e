import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every upload is a multipart upload (a file sent whole is its one part): the storage's id is always
 * there, named `multipart_upload_id`, and `is_chunked` is no longer state the server reads.
 *
 * Sessions from before this change that sent a file with one presigned PutObject have no multipart
 * upload. Their URLs sign a Content-Type that no longer exists on the new path, so they cannot be
 * completed: the open ones are expired now, and the cleanup deletes whatever object they left (its
 * abort of the 'none' multipart upload is a no-op on both drivers, as for any unknown id).
 */
export class OneUploadPath1764400000000 implements MigrationInterface {
  name = 'OneUploadPath1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions RENAME COLUMN storage_upload_id TO multipart_upload_id`);
    await q.query(
      `UPDATE upload_sessions SET expires_at = LEAST(expires_at, now()) WHERE multipart_upload_id IS NULL AND state = 'open'`,
    );
    await q.query(`UPDATE upload_sessions SET multipart_upload_id = 'none' WHERE multipart_upload_id IS NULL`);
    await q.query(`ALTER TABLE upload_sessions ALTER COLUMN multipart_upload_id SET NOT NULL`);
    await q.query(`ALTER TABLE upload_sessions DROP COLUMN is_chunked`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE upload_sessions ADD COLUMN is_chunked boolean NOT NULL DEFAULT true`);
    await q.query(`UPDATE upload_sessions SET is_chunked = (total_chunks > 1 OR chunk_size <> size)`);
    await q.query(`ALTER TABLE upload_sessions ALTER COLUMN is_chunked DROP DEFAULT`);
    await q.query(`ALTER TABLE upload_sessions ALTER COLUMN multipart_upload_id DROP NOT NULL`);
    await q.query(`ALTER TABLE upload_sessions RENAME COLUMN multipart_upload_id TO storage_upload_id`);
  }
}
