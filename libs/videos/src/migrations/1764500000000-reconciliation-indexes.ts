import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cleanup's two new look-ups, kept cheap however many rows the tables hold: the videos still to
 * be processed (re-queued when their job was lost with Redis), and the open sessions of the multipart
 * uploads storage lists (any other one is an orphan of a crashed init).
 */
export class ReconciliationIndexes1764500000000 implements MigrationInterface {
  name = 'ReconciliationIndexes1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX videos_awaiting_processing ON videos (id) WHERE status IN ('uploaded', 'processing')`);
    await q.query(
      `CREATE INDEX upload_sessions_open_multipart ON upload_sessions (multipart_upload_id) WHERE state = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX upload_sessions_open_multipart`);
    await q.query(`DROP INDEX videos_awaiting_processing`);
  }
}
