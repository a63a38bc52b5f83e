/**
 * Reads and validates the environment once, at start-up, into one typed tree. A missing or wrong
 * setting throws ConfigError naming it, and the process stops before it listens or consumes.
 */
import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { StorageConfig } from '#storage';
import type { EventSettings, UploadSettings } from '#uploads';
import { Environment } from './environment.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Signs and verifies tokens when AUTH_JWT_SECRET is not set outside production, so that `npm start`
 * and `npm run token` work on a fresh machine. Production refuses to start without a real secret or key.
 */
export const DEVELOPMENT_JWT_SECRET = 'reelay-development-secret-do-not-use-in-production';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  /** JSON lines in production unless LOG_FORMAT says otherwise; text for people elsewhere. */
  logFormat: 'json' | 'pretty';
  /**
   * Prometheus metrics. `port` > 0: the API serves /metrics on that port only; else on its own port,
   * and only when `token` is set. `token`: the bearer every scrape must send, wherever it is served.
   */
  metrics: { port: number; token?: string };
  http: {
    host: string;
    port: number;
    publicUrl: string;
    /** A request body idle this long (no byte received) is ended with 408 (milliseconds). */
    bodyIdleTimeoutMs: number;
  };
  database: { url: string; migrate: boolean };
  redis: { url: string; prefix: string };
  /** The storage library's own options type: the tree is built to fit it. */
  storage: StorageConfig;
  /** The uploads library's own settings type: the tree is built to fit it. */
  upload: UploadSettings;
  /** The uploads library's settings of events and webhooks. */
  events: EventSettings;
  auth: {
    algorithm: 'HS256' | 'RS256' | 'ES256';
    /** HS256 secret, or the PEM public key for RS256/ES256. */
    key: string;
    issuer: string;
    audience: string;
  };
  cors: { origins: string[] | '*' };
  demo: {
    /** The demo page is served at /demo. */
    enabled: boolean;
    /** It may hand out development tokens: only outside production, with the development secret. */
    developmentTokens: boolean;
  };
  limits: {
    windowSeconds: number;
    init: number;
    retry: number;
    complete: number;
    /** Uploads started one file at a time (tus creation, Uppy's create and /s3/params) per window. */
    create: number;
  };
  worker: {
    concurrency: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
    shutdownGraceMs: number;
    mediaTimeoutMs: number;
    thumbnailMaxWidth: number;
    cleanupIntervalMs: number;
    /** Port of the worker's health server; 0 runs none. */
    healthPort: number;
  };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): AppConfig {
  // Unset and empty variables both mean "use the default". Variables Environment does not declare
  // are carried along and ignored (they have no rules).
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined && value !== '') raw[name] = value;
  const e = plainToInstance(Environment, raw);
  const problems = validateSync(e, { forbidUnknownValues: false }).flatMap((err) =>
    Object.values(err.constraints ?? {}).map(
      (message) => `${err.property}: ${message} (got ${shown(err.property, raw[err.property])})`,
    ),
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return toTree(e);
}

/** A setting's value for an error message; secrets are never printed. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return 'nothing';
  if (/SECRET|KEY|PASSWORD|TOKEN/.test(name)) return `a value of ${value.length} characters`;
  // A URL's password (DATABASE_URL, REDIS_URL) is a secret too.
  return JSON.stringify(value.replace(/\/\/([^/:@]*):[^/@]*@/, '//$1:[redacted]@'));
}

function toTree(e: Environment): AppConfig {
  const corsOrigins: AppConfig['cors']['origins'] =
    e.CORS_ORIGINS.trim() === '*'
      ? '*'
      : e.CORS_ORIGINS.split(',')
          .map((o) => o.trim())
          .filter(Boolean);
  const storage: AppConfig['storage'] =
    e.STORAGE_DRIVER === 's3'
      ? {
          driver: 's3',
          s3: {
            bucket: e.S3_BUCKET!,
            endpoint: e.S3_ENDPOINT,
            publicEndpoint: e.S3_PUBLIC_ENDPOINT,
            region: e.S3_REGION,
            accessKeyId: e.S3_ACCESS_KEY_ID!,
            secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            createBucket: e.S3_CREATE_BUCKET,
            browserOrigins: corsOrigins,
          },
        }
      : {
          driver: 'disk',
          // Outside production a missing secret gets a per-process one: URLs then die with the process.
          disk: {
            root: e.STORAGE_DISK_ROOT,
            signingSecret: e.STORAGE_SIGNING_SECRET ?? randomBytes(32).toString('hex'),
          },
        };
  return {
    env: e.NODE_ENV as AppConfig['env'],
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (e.NODE_ENV === 'production' ? 'json' : 'pretty'),
    metrics: { port: e.METRICS_PORT, token: e.METRICS_TOKEN },
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      bodyIdleTimeoutMs: e.HTTP_BODY_IDLE_TIMEOUT_MS,
    },
    database: { url: e.DATABASE_URL, migrate: e.DATABASE_MIGRATE },
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    storage,
    upload: {
      singleUploadMax: e.UPLOAD_SINGLE_MAX_BYTES,
      partSize: e.UPLOAD_PART_SIZE,
      maxFileSize: e.UPLOAD_MAX_FILE_BYTES,
      maxFiles: e.UPLOAD_MAX_FILES,
      maxChunkSize: e.UPLOAD_MAX_CHUNK_BYTES,
      urlTtlSeconds: e.UPLOAD_URL_TTL_SECONDS,
      sessionTtlSeconds: e.UPLOAD_SESSION_TTL_SECONDS,
      progressSyncIntervalMs: e.PROGRESS_SYNC_INTERVAL_MS,
      progressSyncConcurrency: e.PROGRESS_SYNC_CONCURRENCY,
      maxOpenSessionsPerUser: e.UPLOAD_MAX_OPEN_SESSIONS_PER_USER,
      orphanGraceSeconds: e.UPLOAD_ORPHAN_GRACE_SECONDS,
    },
    events: {
      keyPrefix: e.REDIS_PREFIX,
      tokenTtlSeconds: e.EVENTS_TOKEN_TTL_SECONDS,
      heartbeatMs: e.EVENTS_HEARTBEAT_SECONDS * 1000,
      pollIntervalMs: e.EVENTS_POLL_INTERVAL_MS,
      retentionSeconds: e.EVENTS_RETENTION_SECONDS,
      maxPerBatch: e.EVENTS_MAX_PER_BATCH,
      webhooks: {
        attempts: e.WEBHOOK_ATTEMPTS,
        backoffMs: e.WEBHOOK_BACKOFF_MS,
        timeoutMs: e.WEBHOOK_TIMEOUT_MS,
        allowPrivateAddresses: e.WEBHOOK_ALLOW_PRIVATE_ADDRESSES,
      },
    },
    auth: {
      algorithm: e.AUTH_JWT_ALGORITHM,
      key: e.AUTH_JWT_ALGORITHM === 'HS256' ? (e.AUTH_JWT_SECRET ?? DEVELOPMENT_JWT_SECRET) : e.AUTH_JWT_PUBLIC_KEY!,
      issuer: e.AUTH_JWT_ISSUER,
      audience: e.AUTH_JWT_AUDIENCE,
    },
    cors: { origins: corsOrigins },
    demo: {
      enabled: e.DEMO_PAGE ?? e.NODE_ENV !== 'production',
      developmentTokens: e.NODE_ENV !== 'production' && e.AUTH_JWT_ALGORITHM === 'HS256' && !e.AUTH_JWT_SECRET,
    },
    limits: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      init: e.RATE_LIMIT_INIT,
      retry: e.RATE_LIMIT_RETRY,
      complete: e.RATE_LIMIT_COMPLETE,
      create: e.RATE_LIMIT_CREATE,
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_SECONDS * 1000,
      mediaTimeoutMs: e.WORKER_MEDIA_TIMEOUT_SECONDS * 1000,
      thumbnailMaxWidth: e.WORKER_THUMBNAIL_MAX_WIDTH,
      cleanupIntervalMs: e.WORKER_CLEANUP_INTERVAL_SECONDS * 1000,
      healthPort: e.WORKER_HEALTH_PORT,
    },
  };
}
