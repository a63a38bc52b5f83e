/**
 * Applies pending migrations under a PostgreSQL advisory lock, so that several API instances started at
 * once (a rolling deploy, a scaled-out start) apply each migration once: the first takes the lock and
 * migrates, the others wait for it and then find nothing to do. TypeORM itself takes no lock.
 */
import type { DataSource, Migration } from 'typeorm';

/** Any fixed number works; this one is "reelay" in ASCII, so that it is recognizable in pg_locks. */
const MIGRATION_LOCK = 0x7265656c6179;

/** Answers the migrations this call applied (none when another process had applied them). */
export async function migrateLocked(db: DataSource): Promise<Migration[]> {
  const lock = db.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await db.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.release();
  }
}
