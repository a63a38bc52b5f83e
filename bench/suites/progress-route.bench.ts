/**
 * Measure 2: GET /batch/progress/:id under autocannon (req/s, p50, p99) on a session of 1,000 chunks and
 * one of 10 (the first half of their chunks done, with gaps), against bare Fastify + ioredis doing the same Redis read. The
 * API runs with its default PROGRESS_SYNC_INTERVAL_MS, so a few polls per run also reconcile with
 * storage (ListParts), as they would in production. `openSessions` other uploads (made by init, so open in
 * PostgreSQL, Redis and storage) exist meanwhile.
 *
 * Then the scale run: `scaleRate` polls per second (autocannon's overallRate) spread at random over those open
 * uploads, each of which reconciles with storage when its last look is one sync interval old. Storage's own
 * request counter (radosgw's `rgw.req`) says how many listings that made, against the most the rule allows:
 * per upload, the polls at least one interval apart.
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { RedisProgressStore } from '#progress';
import type { BenchConfig } from '../bench.config.js';
import { BATCH_PATH, getJson, initBatch, videoFiles } from '../support/api-client.js';
import { freePort, meterCpu, startChild } from '../support/processes.js';
import { inPool } from '../support/upload-client.js';
import type { Api, BenchStack } from '../support/stack.js';
import { MiB, rotate } from '../support/stats.js';

export interface PollStats {
  rps: number;
  p50: number;
  p99: number;
  /** CPU microseconds per answered request, of the server and of Redis. */
  serverUs: number;
  redisUs: number;
  /** Share of the machine's CPU that was busy (autocannon included). */
  machineBusy: number;
}

export interface ScaleStats {
  /** Polls asked per second, and answered per second. */
  rate: number;
  rps: number;
  p50: number;
  p99: number;
  /** Polls sent, and storage requests (listings) counted by radosgw meanwhile; undefined when not countable. */
  polls: number;
  listings?: number;
  /** The most listings "one per upload per sync interval" allows for the polls sent. */
  allowedListings: number;
  /** Uploads polled at least once. */
  uploadsPolled: number;
  /** Polls that failed, timed out (10 s) or were not answered 200. */
  failed: number;
}

export interface ProgressRouteResult {
  seconds: number;
  connections: number;
  chunkCounts: [number, number];
  /** Open uploads that existed while the route was measured. */
  openSessions: number;
  syncIntervalMs: number;
  scale: ScaleStats[];
  /** `api-1000`, `bare-10`, ..., and `api-health` (a Nest route): one entry per run. */
  runs: Record<string, PollStats[]>;
}

/** GET /health on the API: a Nest controller route with no token and no Redis, so what Nest's pipeline costs alone. */
export const HEALTH_KEY = 'api-health';

export const progressKey = (server: 'api' | 'bare', chunks: number) => `${server}-${chunks}`;

export async function benchProgressRoute(
  stack: BenchStack,
  api: Api,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<ProgressRouteResult> {
  const ids = await pollableSessions(stack, api, config);
  const open = await openSessions(stack, api, config);
  log(`progress: ${open.length} open uploads made by init`);
  const port = await freePort();
  const bare = startChild('bare-progress', 'dist/bench/servers/bare-progress.server.js', {
    BENCH_PORT: String(port),
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: stack.redisPrefix,
  });
  const bareUrl = `http://127.0.0.1:${port}`;
  const redisPid = Number(/^process_id:(\d+)/m.exec(await stack.redis.info('server'))?.[1]);
  const targets = config.progressChunks.flatMap((chunks, n) => [
    {
      key: progressKey('api', chunks),
      url: `${api.url}${BATCH_PATH}/progress/${ids[n]}`,
      headers: stack.auth,
      chunks,
      pids: { server: api.child.pid, redis: redisPid },
    },
    {
      key: progressKey('bare', chunks),
      url: `${bareUrl}/progress/${ids[n]}`,
      headers: {},
      chunks,
      pids: { server: bare.pid, redis: redisPid },
    },
  ]);
  targets.push({
    key: HEALTH_KEY,
    url: `${api.url}/health`,
    headers: {},
    chunks: 0,
    pids: { server: api.child.pid, redis: redisPid },
  });
  const result: ProgressRouteResult = {
    seconds: config.progressSeconds,
    connections: config.progressConnections,
    chunkCounts: config.progressChunks,
    openSessions: open.length,
    syncIntervalMs: SYNC_INTERVAL_MS,
    scale: [],
    runs: {},
  };
  try {
    await bare.waitFor(/bare-progress listening/);
    for (const t of targets) {
      // Both answer the same data: the comparison is of equal work.
      const { status, body } = await getJson(t.url, t.headers);
      const data = (body as { data?: { totalChunks?: number } }).data;
      if (status !== 200 || (t.key !== HEALTH_KEY && data?.totalChunks !== t.chunks))
        throw new Error(`${t.key} answered ${status}: ${JSON.stringify(body).slice(0, 300)}`);
      await poll(t.url, t.headers, 2, config.progressConnections, t.pids); // warm-up (JIT, connections)
      result.runs[t.key] = [];
    }
    for (let run = 0; run < config.runs; run++) {
      for (const t of rotate(targets, run)) {
        const stats = await poll(t.url, t.headers, config.progressSeconds, config.progressConnections, t.pids);
        result.runs[t.key].push(stats);
        log(
          `progress run ${run + 1}/${config.runs} ${t.key}: ${stats.rps.toFixed(0)} req/s, p50 ${stats.p50} ms, p99 ${stats.p99} ms, ${stats.serverUs.toFixed(0)} µs CPU/req, machine ${(100 * stats.machineBusy).toFixed(0)} % busy`,
        );
      }
    }
    for (let run = 0; run < Math.min(config.runs, SCALE_RUNS); run++) {
      const stats = await pollAtScale(stack, api, open, config);
      result.scale.push(stats);
      log(
        `progress at scale run ${run + 1}: ${stats.rps.toFixed(0)} of ${stats.rate} polls/s over ${stats.uploadsPolled} uploads, p50 ${stats.p50} ms, p99 ${stats.p99} ms, ${stats.failed} failed, ${stats.listings ?? '?'} listings (at most ${stats.allowedListings} allowed)`,
      );
    }
  } finally {
    await bare.stop();
  }
  return result;
}

/** The API's PROGRESS_SYNC_INTERVAL_MS: the bench runs it with its default. */
export const SYNC_INTERVAL_MS = 1000;
const SCALE_RUNS = 3;
const FILES_PER_INIT = 5;

/** `config.openSessions` uploads of 1 GiB (parts of chunkMiB) through init, 8 calls at a time. */
async function openSessions(stack: BenchStack, api: Api, config: BenchConfig): Promise<string[]> {
  const calls = Math.ceil(config.openSessions / FILES_PER_INIT);
  const batches = await inPool(calls, 8, (i) =>
    initBatch(
      api.url,
      stack.auth,
      videoFiles(Math.min(FILES_PER_INIT, config.openSessions - i * FILES_PER_INIT), 1024 * MiB),
    ),
  );
  return batches.flat().map((s) => s.uploadId);
}

/** Answer time up to which the scale run's connections still send the full rate (milliseconds). */
export const SCALE_SLACK_MS = 50;

/**
 * `scaleRate` polls per second for progressSeconds, each of a random upload of `ids`. autocannon sends a
 * connection's next poll only after its answer, so too few connections would send less than the rate when
 * answers slow down, and hide the slow ones: there are enough for answers of up to SCALE_SLACK_MS each.
 */

async function pollAtScale(stack: BenchStack, api: Api, ids: string[], config: BenchConfig): Promise<ScaleStats> {
  const sent: Array<[number, number]> = []; // [upload index, ms]
  const before = stack.storageRequests();
  const result = await autocannon({
    url: api.url,
    headers: stack.auth,
    connections: Math.max(10, Math.ceil((config.scaleRate * SCALE_SLACK_MS) / 1000)),
    overallRate: config.scaleRate,
    duration: config.progressSeconds,
    requests: [
      {
        method: 'GET',
        setupRequest: (request) => {
          const n = Math.floor(Math.random() * ids.length);
          sent.push([n, performance.now()]);
          return { ...request, path: `${BATCH_PATH}/progress/${ids[n]}` };
        },
      },
    ],
  });
  const after = stack.storageRequests();
  // Past what the API keeps up with, polls time out or fail: counted, not fatal, since that is the finding.
  return {
    failed: result.errors + result.timeouts + result.non2xx,
    rate: config.scaleRate,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    polls: result.requests.total,
    listings: before === undefined || after === undefined ? undefined : after - before,
    allowedListings: allowedListings(sent, SYNC_INTERVAL_MS),
    uploadsPolled: new Set(sent.map(([n]) => n)).size,
  };
}

/**
 * The most listings the rule "one per upload per sync interval" allows for these polls: per upload, its
 * polls taken greedily at least `intervalMs` apart (the first always counts, as a fresh API has not looked).
 */
export function allowedListings(polls: Array<[number, number]>, intervalMs: number): number {
  const last = new Map<number, number>();
  let allowed = 0;
  for (const [upload, at] of [...polls].sort((a, b) => a[1] - b[1])) {
    const previous = last.get(upload);
    if (previous !== undefined && at - previous < intervalMs) continue;
    last.set(upload, at);
    allowed++;
  }
  return allowed;
}

/** Polls the 1,000-chunk session's progress with the profiler running. */
export async function profileProgressRoute(stack: BenchStack, api: Api, config: BenchConfig): Promise<string> {
  const [id] = await pollableSessions(stack, api, config);
  const url = `${api.url}${BATCH_PATH}/progress/${id}`;
  await poll(url, stack.auth, 2, config.progressConnections, {});
  await api.profiler!.start();
  await poll(url, stack.auth, Math.min(config.progressSeconds, 5), config.progressConnections, {});
  return api.profiler!.stop();
}

/**
 * One session per chunk count, through init, with the first half of its chunks marked done in Redis but
 * every tenth (parts still in flight, or failed): what an upload looks like while it runs. The answer's
 * stored ranges then have one run per ten chunks.
 */
async function pollableSessions(stack: BenchStack, api: Api, config: BenchConfig): Promise<string[]> {
  const chunk = config.chunkMiB * MiB;
  const store = new RedisProgressStore(stack.redis, { keyPrefix: stack.redisPrefix });
  const ids: string[] = [];
  for (const chunks of config.progressChunks) {
    const [session] = await initBatch(api.url, stack.auth, videoFiles(1, chunks * chunk));
    if (session.totalChunks !== chunks) throw new Error(`a file of ${chunks} chunks got ${session.totalChunks}`);
    const done = Array.from({ length: Math.floor(chunks / 2) }, (_, i): [number, number] => [i, chunk]).filter(
      ([i]) => i % 10 !== 9,
    );
    await store.markManyDone(session.uploadId, done);
    ids.push(session.uploadId);
  }
  return ids;
}

async function poll(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
  pids: Record<string, number>,
): Promise<PollStats> {
  const meter = meterCpu(pids);
  const result = await autocannon({ url, headers, connections, duration: seconds });
  const cpu = meter.stop();
  if (result.errors > 0 || result.timeouts > 0 || result.non2xx > 0) {
    throw new Error(
      `autocannon on ${url}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx answers`,
    );
  }
  const perRequest = (s: number | undefined) => (1e6 * (s ?? Number.NaN)) / Math.max(1, result.requests.total);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    serverUs: perRequest(cpu.seconds.server),
    redisUs: perRequest(cpu.seconds.redis),
    machineBusy: cpu.machineBusy,
  };
}
