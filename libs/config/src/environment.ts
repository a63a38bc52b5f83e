/**
 * Every setting Reelay reads, as environment variables, with its rules and default.
 * README.md documents each of them; keep the two in step.
 */
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

const MiB = 1024 * 1024;
const urlOptions = { require_tld: false, require_protocol: true } as const;
/** 'true'/'1'/'yes' and 'false'/'0'/'no'; anything else stays a string and fails @IsBoolean. */
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes'].includes(v)) return true;
  if (['0', 'false', 'no'].includes(v)) return false;
  return value;
};

export class Environment {
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() HOST = '0.0.0.0';
  /** Base URL clients use to reach this API; the disk driver's signed URLs start with it. */
  @IsOptional() @IsUrl(urlOptions) PUBLIC_URL?: string;
  @IsIn(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL = 'log';
  /** `json`: one JSON object per line (log collectors); `pretty`: text for people. */
  @IsOptional() @IsIn(['json', 'pretty']) LOG_FORMAT?: 'json' | 'pretty';
  /**
   * Port of a listener that serves only GET /metrics (Prometheus), on HOST; the API port then serves no
   * /metrics. 0 (the default): /metrics is on the API port, and only with METRICS_TOKEN.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) METRICS_PORT = 0;
  /** Bearer token every /metrics scrape must send (API port, METRICS_PORT, the worker's health port). */
  @IsOptional() @IsString() @MinLength(16) METRICS_TOKEN?: string;

  @IsUrl({ ...urlOptions, protocols: ['postgres', 'postgresql'] }) DATABASE_URL =
    'postgres://postgres@127.0.0.1:5432/reelay';
  @Transform(toBool) @IsBoolean() DATABASE_MIGRATE = true;
  @IsUrl({ ...urlOptions, protocols: ['redis', 'rediss'] }) REDIS_URL = 'redis://127.0.0.1:6379';
  /** Prefix of every Redis key and BullMQ queue of this deployment. */
  @IsString() @MinLength(1) REDIS_PREFIX = 'reelay:';

  @IsIn(['disk', 's3']) STORAGE_DRIVER: 'disk' | 's3' = 'disk';
  @IsString() STORAGE_DISK_ROOT = './data/storage';
  /** HMAC secret of the disk driver's signed URLs; required in production. */
  @ValidateIf((e: Environment) => e.STORAGE_DRIVER === 'disk' && e.NODE_ENV === 'production')
  @IsString()
  @MinLength(32)
  STORAGE_SIGNING_SECRET?: string;

  @ValidateIf((e: Environment) => e.STORAGE_DRIVER === 's3') @IsString() @MinLength(3) S3_BUCKET?: string;
  @ValidateIf((e: Environment) => e.STORAGE_DRIVER === 's3') @IsString() @MinLength(1) S3_ACCESS_KEY_ID?: string;
  @ValidateIf((e: Environment) => e.STORAGE_DRIVER === 's3') @IsString() @MinLength(1) S3_SECRET_ACCESS_KEY?: string;
  @IsOptional() @IsUrl(urlOptions) S3_ENDPOINT?: string;
  /** Endpoint written into presigned URLs when clients reach storage by another address. */
  @IsOptional() @IsUrl(urlOptions) S3_PUBLIC_ENDPOINT?: string;
  @IsString() S3_REGION = 'us-east-1';
  @Transform(toBool) @IsBoolean() S3_FORCE_PATH_STYLE = true;
  /** Create the bucket at start-up when it is missing (development and tests). */
  @Transform(toBool) @IsBoolean() S3_CREATE_BUCKET = false;

  @Type(() => Number) @IsInt() @Min(1) UPLOAD_SINGLE_MAX_BYTES = 150 * MiB;
  @Type(() => Number) @IsInt() @Min(5 * MiB) UPLOAD_PART_SIZE = 64 * MiB;
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_MAX_FILE_BYTES = 256 * 1024 * MiB;
  @Type(() => Number) @IsInt() @Min(1) @Max(100) UPLOAD_MAX_FILES = 5;
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_MAX_CHUNK_BYTES = 2048 * MiB;
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_URL_TTL_SECONDS = 3600;
  @Type(() => Number) @IsInt() @Min(60) UPLOAD_SESSION_TTL_SECONDS = 24 * 3600;
  /** Least time between two reconciliations of one upload's progress with storage. */
  @Type(() => Number) @IsInt() @Min(0) PROGRESS_SYNC_INTERVAL_MS = 1000;
  /** Looks in storage for progress one API process runs at once behind answered polls (ListParts calls in flight). */
  @Type(() => Number) @IsInt() @Min(1) PROGRESS_SYNC_CONCURRENCY = 4;

  /** JWT verification: HS256 with a shared secret, or RS256/ES256 with the platform's public key. */
  @IsIn(['HS256', 'RS256', 'ES256']) AUTH_JWT_ALGORITHM: 'HS256' | 'RS256' | 'ES256' = 'HS256';
  /** HS256 secret; outside production a development secret is used when it is missing. */
  @ValidateIf(
    (e: Environment) =>
      e.AUTH_JWT_ALGORITHM === 'HS256' && (e.NODE_ENV === 'production' || e.AUTH_JWT_SECRET !== undefined),
  )
  @IsString()
  @MinLength(32)
  AUTH_JWT_SECRET?: string;
  /** PEM public key (SPKI) for RS256 or ES256. */
  @ValidateIf((e: Environment) => e.AUTH_JWT_ALGORITHM !== 'HS256')
  @IsString()
  @Matches(/-----BEGIN PUBLIC KEY-----/)
  AUTH_JWT_PUBLIC_KEY?: string;
  @IsString() @MinLength(1) AUTH_JWT_ISSUER = 'reelay';
  @IsString() @MinLength(1) AUTH_JWT_AUDIENCE = 'reelay-upload';
  /** Serve the demo page at /demo; on by default outside production. */
  @IsOptional() @Transform(toBool) @IsBoolean() DEMO_PAGE?: boolean;
  /** Allowed browser origins, comma-separated; `*` allows any. */
  @IsString() @MinLength(1) CORS_ORIGINS = '*';
  /**
   * A chunk request body that sends no byte for this long is ended: the chunk is marked failed and the
   * client, if it still listens, gets 408 REQUEST_TIMEOUT.
   */
  @Type(() => Number) @IsInt() @Min(100) HTTP_BODY_IDLE_TIMEOUT_MS = 30_000;
  /** Per-user request limits per window on init, retry and complete. */
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_WINDOW_SECONDS = 60;
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_INIT = 30;
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_RETRY = 120;
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_COMPLETE = 120;
  @Type(() => Number) @IsInt() @Min(1) RATE_LIMIT_CREATE = 150;
  /** Upload sessions one user may have open (not completed, not expired) at once. */
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_MAX_OPEN_SESSIONS_PER_USER = 100;

  @Type(() => Number) @IsInt() @Min(1) @Max(64) WORKER_CONCURRENCY = 2;
  /** A job whose worker stops renewing its lock for this long (killed, frozen) is handed to another worker. */
  @Type(() => Number) @IsInt() @Min(1000) WORKER_LOCK_DURATION_MS = 30_000;
  /** How often each worker looks for such stalled jobs. */
  @Type(() => Number) @IsInt() @Min(500) WORKER_STALLED_INTERVAL_MS = 30_000;
  /** On SIGTERM, time the current jobs get to finish before they are handed back to the queue. */
  @Type(() => Number) @IsInt() @Min(0) WORKER_SHUTDOWN_GRACE_SECONDS = 20;
  /** Longest one ffprobe or ffmpeg run may take before it is killed (and the job retried). */
  @Type(() => Number) @IsInt() @Min(5) WORKER_MEDIA_TIMEOUT_SECONDS = 300;
  /** Largest width of a video's JPEG thumbnail; narrower videos keep their width. */
  @Type(() => Number) @IsInt() @Min(16) @Max(3840) WORKER_THUMBNAIL_MAX_WIDTH = 640;
  /** How often the cleanup of abandoned (expired, never completed) uploads runs. */
  @Type(() => Number) @IsInt() @Min(1) WORKER_CLEANUP_INTERVAL_SECONDS = 300;
  /**
   * Port of the worker's health server (GET /health/live, GET /health/ready, as the API's), on HOST;
   * 0 (the default) runs none. Orchestrators probe it; a worker has no other HTTP.
   */
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) WORKER_HEALTH_PORT = 0;
  /**
   * A multipart upload in storage, under the product's key prefix, that belongs to no open session
   * (an init crashed between CreateMultipartUpload and its database write) is aborted by the cleanup
   * once it is this old. Longer than any init takes.
   */
  @Type(() => Number) @IsInt() @Min(1) UPLOAD_ORPHAN_GRACE_SECONDS = 900;

  /** Lifetime of a token minted for a batch's event stream (EventSource cannot send headers). */
  @Type(() => Number) @IsInt() @Min(10) @Max(86_400) EVENTS_TOKEN_TTL_SECONDS = 300;
  /** An open event stream sends a comment line this often, so that proxies keep it open. */
  @Type(() => Number) @IsInt() @Min(1) EVENTS_HEARTBEAT_SECONDS = 15;
  /** How often an open event stream looks for new events in Redis. */
  @Type(() => Number) @IsInt() @Min(20) @Max(10_000) EVENTS_POLL_INTERVAL_MS = 250;
  /** A batch's events stay readable (for Last-Event-ID) this long after the last one. */
  @Type(() => Number) @IsInt() @Min(60) EVENTS_RETENTION_SECONDS = 24 * 3600;
  /** Events kept per batch (about; the oldest go first). */
  @Type(() => Number) @IsInt() @Min(100) EVENTS_MAX_PER_BATCH = 20_000;
  /** Attempts of one webhook delivery (the first included), with exponential backoff between them. */
  @Type(() => Number) @IsInt() @Min(1) @Max(50) WEBHOOK_ATTEMPTS = 8;
  /** Wait before the second attempt of a webhook delivery; it doubles for each further one. */
  @Type(() => Number) @IsInt() @Min(10) WEBHOOK_BACKOFF_MS = 10_000;
  /** A webhook endpoint that has not answered in this time counts as failed (and is tried again). */
  @Type(() => Number) @IsInt() @Min(100) WEBHOOK_TIMEOUT_MS = 10_000;
  /** Deliver webhooks to localhost and private networks too (refused by default: the worker is inside). */
  @Transform(toBool) @IsBoolean() WEBHOOK_ALLOW_PRIVATE_ADDRESSES = false;
}
