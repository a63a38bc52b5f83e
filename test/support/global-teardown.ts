/**
 * Ends what global-setup.ts prepared: drops this run's template database and releases the S3 server,
 * which scripts/s3-server.sh stops only when no other run holds it and it was started for the runs.
 */
import { execFileSync } from 'node:child_process';
import pg from 'pg';

export default async function globalTeardown(): Promise<void> {
  const template = process.env.REELAY_TEST_TEMPLATE;
  if (template) {
    // Jest loads this file outside its ESM module mapping: global-setup.ts's adminUrl cannot be imported.
    const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    url.pathname = '/postgres';
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).finally(() => admin.end());
  }
  const holder = process.env.REELAY_TEST_S3_HOLDER;
  if (holder && process.env.REELAY_KEEP_S3 !== '1')
    execFileSync('bash', ['scripts/s3-server.sh', 'release', holder], { stdio: 'inherit' });
}
