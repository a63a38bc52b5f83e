/**
 * One command for one machine (npm start): applies migrations, then runs the API and the worker side
 * by side and stops both when either stops or on Ctrl-C. Production runs them as separate deployables.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { APP_NODE_FLAGS } from './node-flags.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
// The worker reads uploads through the disk driver's signed URLs, which the API checks: both must
// sign with the same secret. Without a configured one, this run makes one for both.
const env = {
  ...process.env,
  STORAGE_SIGNING_SECRET: process.env.STORAGE_SIGNING_SECRET || randomBytes(32).toString('hex'),
};

function run(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, script], { stdio: ['ignore', 'inherit', 'inherit'], env });
  child.on('exit', (code, signal) => {
    console.log(`${name} exited (${signal ?? code})`);
    shutdown(code ?? 1);
  });
  return child;
}

const migrate = spawn(process.execPath, [here('./migrate.js')], { stdio: 'inherit', env });
const migrated = await new Promise<number>((resolve) => migrate.on('exit', (code) => resolve(code ?? 1)));
if (migrated !== 0) process.exit(migrated);

const children = [run('api', here('../apps/api/src/main.js')), run('worker', here('../apps/worker/src/main.js'))];
let stopping = false;
function shutdown(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 10_000).unref();
  const running = children.filter((c) => c.exitCode === null);
  void Promise.all(running.map((c) => new Promise((r) => c.on('exit', r)))).then(() => process.exit(code));
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
