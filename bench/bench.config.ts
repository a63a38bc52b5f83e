/**
 * The knobs of `npm run bench`, read once from the environment (the bench's own config module).
 * Defaults are the sizes; smaller values make a quick run, e.g.
 *   BENCH_FILE_MIB=256 BENCH_RUNS=1 BENCH_PROGRESS_SECONDS=3 BENCH_SESSIONS=1000 BENCH_OPEN_SESSIONS=1000 \
 *   BENCH_STREAMS=8 BENCH_HASH_MIB=256 npm run bench
 * BENCH_ONLY=sdk (or any subset) writes its report beside the scratch files, not over BENCHMARKS.md.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SINGLE_UPLOAD_MAX } from '#storage';

export type Suite = 'chunk' | 'streams' | 'progress' | 'init' | 'memory' | 'sdk' | 'worker';
export const SUITES: readonly Suite[] = ['chunk', 'streams', 'progress', 'init', 'memory', 'sdk', 'worker'];

export interface BenchConfig {
  /** Suites to run (BENCH_ONLY=chunk,init); all by default. */
  suites: Suite[];
  /** Runs of every comparison; medians are taken over them. */
  runs: number;
  /** Size of the uploaded file and of its chunks, in MiB, and chunks in flight. The file must be larger than
   * the API's single-PUT limit (150 MiB), or init answers one URL and there is no chunk to send. */
  fileMiB: number;
  chunkMiB: number;
  inFlight: number;
  /** Chunk requests sent to the chunk route at once (one 64 MiB file each, by default), and their size in MiB. */
  streams: number;
  streamMiB: number;
  /** Open sessions in Redis while the progress route is measured (made by init), and the polls per second
   * spread over them in the scale run. */
  openSessions: number;
  scaleRate: number;
  /** Size in MiB of the object the worker's sha256 pass reads, beside a plain GET of it. */
  hashMiB: number;
  /** Seconds and connections of each autocannon run against the progress route. */
  progressSeconds: number;
  progressConnections: number;
  /** Chunk counts of the polled sessions: the cost must not grow with it. */
  progressChunks: [number, number];
  /** Init calls per run; each announces `initFiles` files of `initParts` parts of chunkMiB. */
  initCalls: number;
  initFiles: number;
  initParts: number;
  /** Open sessions created to measure Redis memory per session. */
  sessions: number;
  /** The SDK's batch: files of sdkFileMiB each, sent with at most sdkConcurrency chunks in flight over the
   * batch and sdkPerFile per file, by the SDK and by the raw client alike. */
  sdkFiles: number;
  sdkFileMiB: number;
  sdkConcurrency: number;
  sdkPerFile: number;
  /** CPU profiles of the API: `auto` for the suites whose goal was missed, `always`, or `never`. */
  profile: 'auto' | 'always' | 'never';
  /** Where the test file, profiles and scratch data go. */
  workDir: string;
  /** Report path: BENCHMARKS.md for a run of every suite; for BENCH_ONLY, a file in workDir, so that a
   * partial run never replaces the full report. */
  output: string;
  /** memstore size when the bench starts radosgw itself. */
  memstoreBytes: number;
  redisUrl: string;
  /** Admin connection to PostgreSQL: the bench creates and drops its own database there. */
  postgresUrl: string;
}

function int(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min)
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function suites(): Suite[] {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return [...SUITES];
  const wanted = raw.split(',').map((s) => s.trim());
  const unknown = wanted.filter((s) => !SUITES.includes(s as Suite));
  if (unknown.length > 0)
    throw new Error(`BENCH_ONLY: unknown suite ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
  return wanted as Suite[];
}

function profileMode(): BenchConfig['profile'] {
  const raw = process.env.BENCH_PROFILE ?? 'auto';
  if (raw === 'auto' || raw === 'always' || raw === 'never') return raw;
  throw new Error(`BENCH_PROFILE must be auto, always or never, got ${JSON.stringify(raw)}`);
}

/** The smallest file, in MiB, that init splits into parts with the API's default settings. */
export const CHUNKED_MIN_MIB = DEFAULT_SINGLE_UPLOAD_MAX / 1024 ** 2 + 1;

export function loadBenchConfig(): BenchConfig {
  const chunkMiB = int('BENCH_CHUNK_MIB', 64, 5);
  const only = suites();
  const workDir = process.env.BENCH_DIR ?? join(tmpdir(), 'reelay-bench');
  return {
    suites: only,
    runs: int('BENCH_RUNS', 5),
    fileMiB: int('BENCH_FILE_MIB', 1024, Math.max(chunkMiB, CHUNKED_MIN_MIB)),
    chunkMiB,
    inFlight: int('BENCH_IN_FLIGHT', 4),
    streams: int('BENCH_STREAMS', 64),
    streamMiB: int('BENCH_STREAM_MIB', 64),
    openSessions: int('BENCH_OPEN_SESSIONS', 10_000, 10),
    scaleRate: int('BENCH_SCALE_RATE', 2000),
    hashMiB: int('BENCH_HASH_MIB', 1024),
    progressSeconds: int('BENCH_PROGRESS_SECONDS', 8),
    progressConnections: int('BENCH_PROGRESS_CONNECTIONS', 10),
    progressChunks: [int('BENCH_PROGRESS_CHUNKS', 1000, 3), 10],
    initCalls: int('BENCH_INIT_CALLS', 20),
    initFiles: int('BENCH_INIT_FILES', 5),
    initParts: int('BENCH_INIT_PARTS', 1000, 3),
    sessions: int('BENCH_SESSIONS', 10_000, 100),
    sdkFiles: int('BENCH_SDK_FILES', 5),
    sdkFileMiB: int('BENCH_SDK_FILE_MIB', 256, Math.max(chunkMiB, CHUNKED_MIN_MIB)),
    sdkConcurrency: int('BENCH_SDK_CONCURRENCY', 8),
    sdkPerFile: int('BENCH_SDK_PER_FILE', 4),
    profile: profileMode(),
    workDir,
    output:
      process.env.BENCH_OUTPUT ??
      (only.length === SUITES.length ? 'BENCHMARKS.md' : join(workDir, `BENCHMARKS-${only.join('-')}.md`)),
    memstoreBytes: int('REELAY_S3_MEMSTORE_BYTES', 8 * 1024 ** 3, 1024 ** 3),
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
}
