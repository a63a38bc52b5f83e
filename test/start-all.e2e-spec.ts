/**
 * `npm start` on one machine: scripts/start-all.js creates and migrates the database, then runs the
 * API and the worker with the apps' Node flags, and stops both cleanly on SIGTERM.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { request } from 'undici';
import { APP_NODE_FLAGS } from '../scripts/node-flags.js';
import { adminUrl, databaseUrl } from './support/global-setup.js';
import { appEnv, freePort } from './support/stack.js';

/** Node processes whose parent is `pid`, with their command lines. */
function children(pid: number): string[][] {
  const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return tasks
    ? tasks.split(/\s+/).map((child) => readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0').filter(Boolean))
    : [];
}

async function health(url: string): Promise<number | null> {
  try {
    const res = await request(`${url}/health`);
    await res.body.text();
    return res.statusCode;
  } catch {
    return null;
  }
}

describe('npm start (scripts/start-all.js)', () => {
  const id = randomBytes(5).toString('hex');
  const database = `reelay_t_start_${id}`;
  const dataDir = mkdtempSync(join(tmpdir(), `reelay-start-${id}-`));

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('creates the database, runs the API and the worker with the Node flags, and stops on SIGTERM', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      ...appEnv({ port, database, redisPrefix: `reelay-t-start-${id}:`, diskRoot: dataDir }),
    };
    const supervisor = spawn(process.execPath, ['dist/scripts/start-all.js'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    supervisor.stdout.on('data', (d: Buffer) => (output += d.toString()));
    supervisor.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => supervisor.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 45_000;
      while ((await health(url)) !== 200) {
        if (supervisor.exitCode !== null || Date.now() > deadline)
          throw new Error(`the API did not come up:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      const apps = children(supervisor.pid!).filter((argv) =>
        argv.some((a) => /apps\/(api|worker)\/src\/main\.js$/.test(a)),
      );
      expect(apps).toHaveLength(2);
      for (const argv of apps) expect(argv.slice(1, 1 + APP_NODE_FLAGS.length)).toEqual([...APP_NODE_FLAGS]);
      const db = new pg.Client({ connectionString: databaseUrl(database) });
      await db.connect();
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM migrations`);
      await db.end();
      expect(rows[0].n).toBeGreaterThan(0);
      // Outside production the demo page is on, and hands out tokens signed with the development secret.
      const demo = await fetch(`${url}/demo/`);
      expect([demo.status, await demo.text()]).toEqual([200, expect.stringContaining('Reelay demo')]);
      const issued = await fetch(`${url}/demo/token`);
      expect(issued.status).toBe(200);
      const { data } = (await issued.json()) as { data: { token: string } };
      const unknown = await fetch(`${url}/api/v1/videos/batch/progress/00000000-0000-4000-8000-000000000000`, {
        headers: { authorization: `Bearer ${data.token}` },
      });
      expect(unknown.status).toBe(404); // the token is taken: the upload is unknown, not 401
    } finally {
      supervisor.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});

describe("the apps' Node flags, wherever the apps are started", () => {
  /** The flags of every `node ... dist/apps/<app>/src/main.js` in a file, as a shell line or a JSON array. */
  function nodeFlagsIn(file: string): string[][] {
    const text = readFileSync(file, 'utf8');
    return [
      ...text.matchAll(/\bnode((?:[\s",]+--[\w-]+(?:=[\w.-]+)?)*)[\s",]+dist\/apps\/(?:api|worker)\/src\/main\.js/g),
    ].map((m) => m[1].split(/[\s",]+/).filter(Boolean));
  }

  it.each([
    ['package.json', 2],
    ['Dockerfile', 1],
    ['docker-compose.yml', 2],
  ])('%s starts the apps with APP_NODE_FLAGS', (file, starts) => {
    const found = nodeFlagsIn(file);
    expect(found).toHaveLength(starts);
    for (const flags of found) expect(flags).toEqual([...APP_NODE_FLAGS]);
  });
});
