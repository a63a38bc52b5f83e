/**
 * What the bench runs against, all on this machine: radosgw (scripts/s3-server.sh), a database of its
 * own in the local PostgreSQL, a Redis key prefix of its own, one bucket, and the built API as a child
 * process configured for production with the default settings, except the rate limits, which a
 * benchmark would trip.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createS3Client, emptyBucket, ensureBucket } from '#storage';
import { APP_NODE_FLAGS } from '../../scripts/node-flags.js';
import type { BenchConfig } from '../bench.config.js';
import { type Child, freePort, startChild, waitForHttp } from './processes.js';
import { authHeaders, bearerToken } from './token.js';

export interface S3Env {
  S3_ENDPOINT: string;
  S3_ACCESS_KEY_ID: string;
  S3_SECRET_ACCESS_KEY: string;
  S3_REGION: string;
}

export interface Api {
  url: string;
  child: Child;
  /** The in-process CPU profiler (only when started with `profile`): stop() answers the .cpuprofile path. */
  profiler?: { start(): Promise<void>; stop(): Promise<string> };
}

export const BENCH_USER = 'bench-user';
export const BENCH_CHANNEL = 'bench';

export class BenchStack {
  readonly id = randomBytes(4).toString('hex');
  readonly database = `reelay_bench_${this.id}`;
  readonly redisPrefix = `reelay-bench-${this.id}:`;
  readonly bucket = `reelay-bench-${this.id}`;
  readonly jwtSecret = randomBytes(32).toString('hex');
  s3Env!: S3Env;
  s3!: S3Client;
  redis!: Redis;
  /** Authorization header for the bench user, or none while the API has no auth. */
  auth: Record<string, string> = {};
  /** Whether this run holds scripts/s3-server.sh's server (released at the teardown). */
  private heldS3 = false;

  constructor(readonly config: BenchConfig) {}

  get databaseUrl(): string {
    const url = new URL(this.config.postgresUrl);
    url.pathname = `/${this.database}`;
    return url.toString();
  }

  async start(): Promise<void> {
    this.s3Env = this.startS3();
    this.s3 = createS3Client({
      endpoint: this.s3Env.S3_ENDPOINT,
      region: this.s3Env.S3_REGION,
      accessKeyId: this.s3Env.S3_ACCESS_KEY_ID,
      secretAccessKey: this.s3Env.S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
    });
    await ensureBucket(this.s3, this.bucket);
    this.redis = new Redis(this.config.redisUrl, { maxRetriesPerRequest: null });
    execFileSync(process.execPath, ['dist/scripts/migrate.js'], {
      env: { ...process.env, DATABASE_URL: this.databaseUrl, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    // The token script reads the API's settings; only its signing settings matter, not the port.
    this.auth = authHeaders(bearerToken(this.apiEnv(3000), BENCH_USER, [BENCH_CHANNEL]));
  }

  /** Environment of the API (and of the token script, which must sign with the same settings). */
  apiEnv(port: number): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: this.databaseUrl,
      DATABASE_MIGRATE: 'false',
      REDIS_URL: this.config.redisUrl,
      REDIS_PREFIX: this.redisPrefix,
      STORAGE_DRIVER: 's3',
      ...this.s3Env,
      S3_BUCKET: this.bucket,
      S3_FORCE_PATH_STYLE: 'true',
      S3_CREATE_BUCKET: 'false',
      UPLOAD_PART_SIZE: String(this.config.chunkMiB * 1024 * 1024),
      AUTH_JWT_SECRET: this.jwtSecret,
      // A benchmark is one user hammering one route: production's per-user limits would stop it.
      RATE_LIMIT_INIT: '1000000',
      RATE_LIMIT_RETRY: '1000000',
      RATE_LIMIT_COMPLETE: '1000000',
      RATE_LIMIT_CREATE: '1000000',
      UPLOAD_MAX_OPEN_SESSIONS_PER_USER: '1000000',
    };
  }

  /** Starts the built API; with `profile`, loads the bench's in-process CPU profiler into it. */
  async startApi(options: { profile?: boolean } = {}): Promise<Api> {
    const port = await freePort();
    const profileDir = join(this.config.workDir, 'profiles');
    const child = options.profile
      ? startChild(
          'api',
          'dist/apps/api/src/main.js',
          { ...this.apiEnv(port), BENCH_PROFILE_DIR: profileDir },
          { nodeArgs: [...APP_NODE_FLAGS, '--import', './dist/bench/support/profiler.preload.js'], ipc: true },
        )
      : startChild('api', 'dist/apps/api/src/main.js', this.apiEnv(port), { nodeArgs: [...APP_NODE_FLAGS] });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health`, child);
    if (!options.profile) return { url, child };
    return {
      url,
      child,
      profiler: { start: async () => void (await ask(child, 'start')), stop: () => ask(child, 'stop') },
    };
  }

  /** Aborts every multipart upload and deletes every object of the bench bucket, then frees the memstore. */
  async emptyBucket(): Promise<void> {
    await emptyBucket(this.s3, this.bucket);
    this.collectGarbage();
  }

  /**
   * radosgw frees deleted and aborted data in its garbage collector; memstore keeps it in RAM until
   * then, and a full store makes writes hang. Best effort: only for a cluster of scripts/s3-server.sh.
   */
  collectGarbage(): void {
    const conf = join(s3Base(), 'cluster', 'ceph.conf');
    if (!ownCluster() || !existsSync(conf)) return;
    try {
      execFileSync('radosgw-admin', ['gc', 'process', '--include-all'], {
        env: { ...process.env, CEPH_CONF: conf },
        stdio: 'ignore',
        timeout: 120_000,
      });
    } catch {
      // radosgw collects on its own within seconds (rgw_gc_processor_period in s3-server.sh)
    }
  }

  async teardown(): Promise<void> {
    await this.emptyBucket().catch(() => undefined);
    await this.s3?.send(new DeleteBucketCommand({ Bucket: this.bucket })).catch(() => undefined);
    if (this.redis) {
      await deleteKeys(this.redis, this.redisPrefix);
      this.redis.disconnect();
    }
    const admin = new pg.Client({ connectionString: this.config.postgresUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await admin.end();
    if (this.heldS3 && process.env.BENCH_KEEP_S3 !== '1') {
      execFileSync('bash', ['scripts/s3-server.sh', 'release', String(process.pid)], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
  }

  /**
   * Requests radosgw has answered since it started (its `rgw.req` perf counter, read through its admin
   * socket), or undefined when the S3 server is not scripts/s3-server.sh's. Counted by storage itself.
   */
  storageRequests(): number | undefined {
    const conf = join(s3Base(), 'cluster', 'ceph.conf');
    const socket = join(s3Base(), 'cluster', 'run', 'client.rgw.a.asok');
    if (!ownCluster() || !existsSync(socket)) return undefined;
    try {
      const out = execFileSync('ceph', ['daemon', socket, 'perf', 'dump', 'rgw'], {
        env: { ...process.env, CEPH_CONF: conf },
        encoding: 'utf8',
        timeout: 10_000,
      });
      const req = (JSON.parse(out) as { rgw?: { req?: unknown } }).rgw?.req;
      return typeof req === 'number' ? req : undefined;
    } catch {
      return undefined;
    }
  }

  /** PIDs of radosgw and its OSD when they are scripts/s3-server.sh's (for CPU accounting); else none. */
  storagePids(): Record<string, number> {
    if (!ownCluster()) return {};
    const run = join(s3Base(), 'cluster', 'run');
    const pids: Record<string, number> = {};
    for (const [name, file] of [
      ['radosgw', 'client.rgw.a.pid'],
      ['osd', 'osd.0.pid'],
    ]) {
      try {
        pids[name] = Number(readFileSync(join(run, file), 'utf8').trim());
      } catch {
        // not this script's cluster
      }
    }
    return pids;
  }

  /** radosgw of S3_ENDPOINT, or scripts/s3-server.sh's (started unless it runs; held until the teardown). */
  private startS3(): S3Env {
    if (process.env.S3_ENDPOINT) {
      return {
        S3_ENDPOINT: process.env.S3_ENDPOINT,
        S3_ACCESS_KEY_ID: process.env.S3_ACCESS_KEY_ID ?? '',
        S3_SECRET_ACCESS_KEY: process.env.S3_SECRET_ACCESS_KEY ?? '',
        S3_REGION: process.env.S3_REGION ?? 'us-east-1',
      };
    }
    const out = execFileSync('bash', ['scripts/s3-server.sh', 'up', String(process.pid)], {
      env: { ...process.env, REELAY_S3_MEMSTORE_BYTES: String(this.config.memstoreBytes) },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.heldS3 = true;
    const vars: Record<string, string> = Object.fromEntries(
      out
        .split('\n')
        .map((line) => line.trim().split('='))
        .filter((kv): kv is [string, string] => kv.length === 2),
    );
    const { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION } = vars;
    if (!S3_ENDPOINT) throw new Error('scripts/s3-server.sh up printed no S3_ENDPOINT');
    return { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION };
  }
}

/** One command to the profiler in the child (see profiler.preload.ts); answers its reply. */
function ask(child: Child, command: 'start' | 'stop'): Promise<string> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const reply = message as { profiler?: string; error?: string };
      if (reply.profiler === undefined && reply.error === undefined) return;
      child.process.off('message', onMessage);
      if (reply.error) reject(new Error(`profiler: ${reply.error}`));
      else resolve(reply.profiler!);
    };
    child.process.on('message', onMessage);
    child.process.send({ profiler: command });
  });
}

/** The S3 server is scripts/s3-server.sh's: no S3_ENDPOINT, or one with its REELAY_S3_BASE given. */
function ownCluster(): boolean {
  return !process.env.S3_ENDPOINT || process.env.REELAY_S3_BASE !== undefined;
}

/** Where scripts/s3-server.sh keeps its cluster (same rule as the script). */
function s3Base(): string {
  return process.env.REELAY_S3_BASE ?? join(process.env.TMPDIR ?? '/tmp', 'reelay-s3');
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
