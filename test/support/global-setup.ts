/**
 * Prepares what every test file of one `npm test` run shares: a real S3 server (Ceph radosgw on
 * loopback, started by scripts/s3-server.sh unless S3_ENDPOINT points at one already) and a migrated
 * template database that each test file clones. Tests run against the build in dist/ (npm test builds
 * first).
 *
 * Several runs may share the machine: each has a template of its own (named after its process), and
 * holds the S3 server so that no run stops it under another (global-teardown.ts releases it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

// Jest loads this file outside its ESM module mapping, so it imports nothing of the project's own.
export function databaseUrl(name: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  return url.toString();
}

export const adminUrl = () => databaseUrl('postgres');

const TEMPLATE_PREFIX = 'reelay_test_template_';

/** This run's migrated template (set by the global set-up, read by the test files' processes). */
export function templateDatabase(): string {
  const name = process.env.REELAY_TEST_TEMPLATE;
  if (!name) throw new Error('REELAY_TEST_TEMPLATE is not set: run the tests with `npm test`');
  return name;
}

export default async function globalSetup(): Promise<void> {
  if (!existsSync('dist/apps/api/src/main.js'))
    throw new Error('dist/ is missing: run the tests with `npm test`, which builds first');
  if (!process.env.S3_ENDPOINT) {
    const holder = String(process.pid);
    const out = execFileSync('bash', ['scripts/s3-server.sh', 'up', holder], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const line of out.split('\n')) {
      const m = /^(S3_ENDPOINT|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|S3_REGION)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] = m[2];
    }
    process.env.REELAY_TEST_S3_HOLDER = holder;
  }
  if (!process.env.S3_ENDPOINT) throw new Error('scripts/s3-server.sh up printed no S3_ENDPOINT');

  const template = `${TEMPLATE_PREFIX}${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await dropTemplatesOfDeadRuns(admin);
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  execFileSync(process.execPath, ['dist/scripts/migrate.js'], {
    env: { ...process.env, DATABASE_URL: databaseUrl(template), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  process.env.REELAY_TEST_TEMPLATE = template;
}

/** Templates of runs whose process is gone (killed before their teardown). */
async function dropTemplatesOfDeadRuns(admin: pg.Client): Promise<void> {
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [
    `${TEMPLATE_PREFIX}%`,
  ]);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(TEMPLATE_PREFIX.length));
    if (Number.isSafeInteger(pid) && !isAlive(pid))
      await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
