/**
 * Prepares what every test file shares: a real S3 server (Ceph radosgw on loopback, started by
 * scripts/s3-server.sh unless S3_ENDPOINT points at one already) and a migrated template database
 * that each test file clones. Tests run against the build in dist/ (npm test builds first).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

/** Test databases: one migrated template, cloned per test file (CREATE DATABASE ... TEMPLATE). */
export const TEMPLATE_DATABASE = 'reelay_test_template';

// Jest loads this file outside its ESM module mapping, so it imports nothing of the project's own.
export function databaseUrl(name: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  return url.toString();
}

export const adminUrl = () => databaseUrl('postgres');

export default async function globalSetup(): Promise<void> {
  if (!existsSync('dist/apps/api/src/main.js')) throw new Error('dist/ is missing: run the tests with `npm test`, which builds first');
  if (!process.env.S3_ENDPOINT) {
    // A server that already runs (a developer's, or another test run's) is used and left running;
    // `up` is still called, since it starts a fresh cluster when the running one is full.
    const running = spawnSync('bash', ['scripts/s3-server.sh', 'env'], { encoding: 'utf8' });
    const out = execFileSync('bash', ['scripts/s3-server.sh', 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    for (const line of out.split('\n')) {
      const m = /^(S3_ENDPOINT|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|S3_REGION)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] = m[2];
    }
    if (running.status !== 0) process.env.REELAY_TEST_STARTED_S3 = '1';
  }
  if (!process.env.S3_ENDPOINT) throw new Error('scripts/s3-server.sh up printed no S3_ENDPOINT');

  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  await admin.end();
  execFileSync(process.execPath, ['dist/scripts/migrate.js'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(TEMPLATE_DATABASE), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
