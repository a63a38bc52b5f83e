/**
 * Prepares what every test file shares: a real S3 server (Ceph radosgw on loopback, started by
 * scripts/s3-server.sh unless S3_ENDPOINT points at one already) and a migrated template database
 * that each test file clones. Tests run against the build in dist/ (npm test builds first).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { adminUrl, databaseUrl, TEMPLATE_DATABASE } from './databases.js';

export default async function globalSetup(): Promise<void> {
  if (!existsSync('dist/apps/api/src/main.js')) throw new Error('dist/ is missing: run the tests with `npm test`, which builds first');
  if (!process.env.S3_ENDPOINT) {
    const out = execFileSync('bash', ['scripts/s3-server.sh', 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    for (const line of out.split('\n')) {
      const m = /^(S3_ENDPOINT|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|S3_REGION)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] = m[2];
    }
    process.env.REELAY_TEST_STARTED_S3 = '1';
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
