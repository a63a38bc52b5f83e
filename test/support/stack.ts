/**
 * Starts the real system for one test file: the built API (and optionally the worker) as child
 * processes, on a database cloned from the migrated template, a Redis key prefix of its own and its
 * own storage (a temp folder for `disk`, a fresh bucket on the real S3 server for `s3`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import {
  createS3Client,
  DiskObjectStorage,
  emptyBucket,
  ensureBucket,
  type ObjectStorage,
  S3ObjectStorage,
} from '#storage';
import { SignJWT } from 'jose';
import { stopChild } from '../../scripts/child-process.js';
import { APP_NODE_FLAGS } from '../../scripts/node-flags.js';
import { bullPrefix } from '#uploads';
import { ApiClient } from './api-client.js';
import { adminUrl, databaseUrl, templateDatabase } from './global-setup.js';

export type Driver = 'disk' | 's3';
export const DRIVERS: Driver[] = ['disk', 's3'];
export const MiB = 1024 * 1024;

/** Small thresholds so that tests move megabytes, not gigabytes: single up to 6 MiB, 5 MiB parts. */
export const TEST_LIMITS = { UPLOAD_SINGLE_MAX_BYTES: String(6 * MiB), UPLOAD_PART_SIZE: String(5 * MiB) };

export interface StackOptions {
  driver: Driver;
  worker?: boolean;
  env?: Record<string, string>;
  /** Where the API sends S3 traffic (e.g. a fault-injecting proxy); defaults to the real server. */
  s3Endpoint?: string;
}

export interface ApiInstance {
  url: string;
  process: ChildProcess;
}

export interface Stack {
  driver: Driver;
  url: string;
  /** A client acting as user `alice`, who may upload to every channel. */
  api: ApiClient;
  /** A client acting as another user, limited to the given channels. */
  as(user: string, channels?: string[] | '*'): Promise<ApiClient>;
  token(user: string, channels?: string[] | '*', claims?: TokenOptions): Promise<string>;
  db: pg.Pool;
  redis: Redis;
  redisPrefix: string;
  storage: ObjectStorage;
  queue: Queue;
  env: Record<string, string>;
  logs: () => string;
  /** The first API's process, for the tests that kill it. */
  apiProcess: ChildProcess;
  /** One more API instance on the same database, Redis and storage, on a port of its own. */
  startApi(extraEnv?: Record<string, string>): Promise<ApiInstance>;
  startWorker(extraEnv?: Record<string, string>): Promise<ChildProcess>;
  stop(): Promise<void>;
}

/** Settings of the apps started by a test: on 127.0.0.1:`port`, with their own database, Redis prefix and disk root. */
export function appEnv(o: {
  port: number;
  database: string;
  redisPrefix: string;
  diskRoot: string;
}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PORT: String(o.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${o.port}`,
    DATABASE_URL: databaseUrl(o.database),
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: o.redisPrefix,
    STORAGE_DRIVER: 'disk',
    STORAGE_DISK_ROOT: o.diskRoot,
  };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const id = randomBytes(5).toString('hex');
  const database = `reelay_t_${id}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database} TEMPLATE ${templateDatabase()}`);
  await admin.end();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const redisPrefix = `reelay-t-${id}:`;
  const diskRoot = mkdtempSync(join(tmpdir(), `reelay-${id}-`));
  const bucket = `reelay-t-${id}`;
  const env: Record<string, string> = {
    ...appEnv({ port, database, redisPrefix, diskRoot }),
    DATABASE_MIGRATE: 'false',
    STORAGE_DRIVER: options.driver,
    STORAGE_SIGNING_SECRET: randomBytes(32).toString('hex'),
    AUTH_JWT_SECRET: randomBytes(32).toString('hex'),
    ...(options.driver === 's3' ? s3Env(bucket, options.s3Endpoint) : {}),
    PROGRESS_SYNC_INTERVAL_MS: '0',
    ...TEST_LIMITS,
    ...options.env,
  };

  const { storage, release: releaseStorage } = await testStorage(env, options.driver, bucket, diskRoot);
  const children: ChildProcess[] = [];
  let output = '';
  let stopping = false;
  const launch = (script: string, extra: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, script], {
      env: { ...process.env, ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // A process that dies by itself (not by a test's signal) takes the cause with it: its last lines go out
    // at once, beside the failures it causes in the tests after it.
    child.once('exit', (code, signal) => {
      if (code !== 0 && signal === null && !stopping)
        console.error(`${script} exited with ${code}; its last lines:\n${output.split('\n').slice(-60).join('\n')}`);
    });
    children.push(child);
    return child;
  };
  const apiProcess = launch('dist/apps/api/src/main.js');
  await waitForHealth(url, apiProcess, () => output);

  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('video-processing', { connection: redis, prefix: bullPrefix(redisPrefix) });
  const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 3 });
  // The database is dropped WITH (FORCE) at stop: an idle client still closing then gets a termination
  // notice that would otherwise surface as an unhandled error in whichever test runs next.
  db.on('error', () => undefined);

  const startWorker = async (extra: Record<string, string> = {}) => {
    const worker = launch('dist/apps/worker/src/main.js', extra);
    await waitForLine(worker, /worker started/, () => output);
    return worker;
  };
  if (options.worker) await startWorker();
  const startApi = async (extra: Record<string, string> = {}) => {
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const child = launch('dist/apps/api/src/main.js', { PORT: String(apiPort), PUBLIC_URL: apiUrl, ...extra });
    await waitForHealth(apiUrl, child, () => output);
    return { url: apiUrl, process: child };
  };

  const token = (user: string, channels: string[] | '*' = '*', claims: TokenOptions = {}) =>
    signToken(env.AUTH_JWT_SECRET, user, channels, claims);
  return {
    driver: options.driver,
    url,
    api: new ApiClient(url, await token('alice')),
    as: async (user, channels) => new ApiClient(url, await token(user, channels)),
    token,
    db,
    redis,
    redisPrefix,
    storage,
    queue,
    env,
    logs: () => output,
    apiProcess,
    startApi,
    startWorker,
    async stop() {
      stopping = true;
      await Promise.all(children.map((child) => stopChild(child, 10_000)));
      if (process.env.REELAY_TEST_LOGS === '1') console.log(`--- logs of the ${options.driver} stack:\n${output}`);
      await queue.close();
      await deleteDeploymentKeys(redis, redisPrefix);
      redis.disconnect();
      await db.end();
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await cleanup.end();
      await releaseStorage();
      rmSync(diskRoot, { recursive: true, force: true });
    },
  };
}

function s3Env(bucket: string, endpoint?: string): Record<string, string> {
  return {
    S3_ENDPOINT: endpoint ?? process.env.S3_ENDPOINT!,
    S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID!,
    S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY!,
    S3_REGION: process.env.S3_REGION ?? 'us-east-1',
    S3_BUCKET: bucket,
    S3_FORCE_PATH_STYLE: 'true',
    S3_CREATE_BUCKET: 'true',
  };
}

/**
 * The test's own view of the app's storage, to check what really landed there, and how to give the
 * storage back afterwards (radosgw keeps objects in RAM).
 */
async function testStorage(
  env: Record<string, string>,
  driver: Driver,
  bucket: string,
  root: string,
): Promise<{ storage: ObjectStorage; release: () => Promise<void> }> {
  if (driver === 'disk') {
    const storage = new DiskObjectStorage({
      root,
      signedUrlBase: `${env.PUBLIC_URL}/api/v1/storage/disk`,
      signingSecret: env.STORAGE_SIGNING_SECRET,
    });
    // Its folder is the stack's temporary folder, removed with it.
    return { storage, release: () => Promise.resolve() };
  }
  const client = createS3Client({
    endpoint: process.env.S3_ENDPOINT,
    region: env.S3_REGION,
    accessKeyId: env.S3_ACCESS_KEY_ID,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  });
  await ensureBucket(client, bucket);
  const release = async () => {
    await emptyBucket(client, bucket);
    await client.send(new DeleteBucketCommand({ Bucket: bucket }));
    client.destroy();
  };
  return { storage: new S3ObjectStorage(client, { bucket }), release };
}

async function waitForHealth(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`API did not become healthy:\n${logs()}`);
}

function waitForLine(child: ChildProcess, pattern: RegExp, logs: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${logs()}`)), 30_000);
    const check = (d: Buffer) => {
      if (pattern.test(d.toString())) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${logs()}`));
    });
  });
}

/**
 * Deletes every Redis key of the deployment with this REDIS_PREFIX (progress, rate limits, queues and
 * schedules): what a deployment sees when its Redis is lost, without touching anyone else's keys.
 */
export async function deleteDeploymentKeys(redis: Redis, redisPrefix: string): Promise<number> {
  let deleted = 0;
  for (const pattern of [`${redisPrefix}*`, `${bullPrefix(redisPrefix)}*`]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  return deleted;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface TokenOptions {
  /** A duration ('1h') or an absolute epoch-seconds time (in the past for an expired token). */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  secret?: string;
}

/** A token as the platform would sign it (HS256, the stack's secret, issuer and audience defaults). */
export function signToken(
  secret: string,
  user: string,
  channels: string[] | '*',
  o: TokenOptions = {},
): Promise<string> {
  return new SignJWT({ channels })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user)
    .setIssuer(o.issuer ?? 'reelay')
    .setAudience(o.audience ?? 'reelay-upload')
    .setIssuedAt()
    .setExpirationTime(o.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(o.secret ?? secret));
}
