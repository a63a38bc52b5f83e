/** Renders BENCHMARKS.md from one bench run: machine, date, settings, goals, tables, profiles. */
import { APP_NODE_FLAGS } from '../../scripts/node-flags.js';
import type { BenchConfig } from '../bench.config.js';
import { CHUNK_TARGETS, type ChunkRouteResult, type ChunkTarget } from '../suites/chunk-route.bench.js';
import { BROWSER_ACCEPT_ENCODING } from '../suites/init.bench.js';
import { HEALTH_KEY, type PollStats, progressKey, SCALE_SLACK_MS } from '../suites/progress-route.bench.js';
import { SDK_SIDES, type SdkResult } from '../suites/sdk.bench.js';
import type { SessionMemoryResult } from '../suites/session-memory.bench.js';
import type { StreamsResult } from '../suites/streams.bench.js';
import type { WorkerResult } from '../suites/worker.bench.js';
import type { ProfileSummary, Row } from './cpu-profile.js';
import { type Goal, passCpuPerGiB, READER, type Results, sdkCpuPerGiB, STORAGE } from './goals.js';
import type { Machine } from './machine.js';
import type { CpuUse } from './processes.js';
import { fixed, list, median, MiB, quantile, ratio } from './stats.js';

export interface Report {
  config: BenchConfig;
  machine: Machine;
  startedAt: Date;
  seconds: number;
  loadAfter: string;
  results: Results & { memory?: SessionMemoryResult };
  goals: Goal[];
  profiles: Array<{ suite: string; summary: ProfileSummary }>;
}

const TARGET_TEXT: Record<ChunkTarget, string> = {
  sink: 'client ceiling: same requests to a server that discards the body',
  direct: 'limit: PUT to radosgw through the presigned part URLs',
  relay: 'floor of a server in the path: the same PUTs through a bare node:http relay',
  api: '**POST /batch/chunk** (API streams each chunk to radosgw)',
  tus: 'peer: @tus/server + @tus/s3-store, one PATCH (tus sends in order)',
  'reelay-tus': "Reelay's tus endpoint (/api/v1/tus), one PATCH",
};

export function renderReport(r: Report): string {
  const c = r.config;
  const out: string[] = [];
  out.push(
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${r.startedAt.toISOString()}; the run took ${fixed(r.seconds / 60, 1)} min.`,
    'Benchmarks are not tests: nothing asserts a time. Every comparison is measured side by side in the same run,',
    `${c.runs} runs each in rotating order, and the median is reported with the ratio.`,
    '',
    '## Machine',
    '',
    `- ${r.machine.cores} cores, ${r.machine.cpu}, ${fixed(r.machine.memoryGiB, 1)} GiB RAM, Linux ${r.machine.kernel}`,
    `- Node ${r.machine.node}; ${r.machine.postgres}; Redis ${r.machine.redis}; ${r.machine.radosgw} (radosgw, memstore OSD, scripts/s3-server.sh)`,
    `- Load average before / after the run: ${r.machine.load} / ${r.loadAfter}; code: ${r.machine.code}`,
    `- Node flags: the API runs with ${APP_NODE_FLAGS.join(' ')} (scripts/node-flags.ts), as in production; the bench process,`,
    `  whose clients upload and poll, with ${process.execArgv.join(' ') || 'none'}.`,
    '- Everything shares these cores: the bench client, the API, radosgw and its OSD, PostgreSQL and Redis, over loopback.',
    "  Absolute numbers are this machine's; the ratios are the point.",
    '',
    '## Goals',
    '',
    '| goal | measured (median) | met |',
    '| --- | --- | --- |',
    ...r.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met ? 'yes' : '**no**'} |`),
    '',
    'A ratio is of the two medians, and decides the goal. "runs a-bx" is the lowest and the highest ratio of the two',
    "measured in the same round: how far this machine's noise moves a single comparison.",
    '',
  );
  if (r.results.chunk) out.push(...chunkSection(r));
  if (r.results.streams) out.push(...streamsSection(r.results.streams));
  if (r.results.progress) out.push(...progressSection(r));
  if (r.results.init) out.push(...initSection(r));
  if (r.results.memory) out.push(...memorySection(r.results.memory));
  if (r.results.sdk) out.push(...sdkSection(r.results.sdk));
  if (r.results.worker) out.push(...workerSection(r.results.worker));
  if (r.profiles.length > 0) out.push(...profileSection(r));
  out.push(...howToRun());
  return out.join('\n') + '\n';
}

function chunkSection(r: Report): string[] {
  const x = r.results.chunk!;
  const direct = median(x.mbps.direct);
  return [
    '## 1. Chunk route throughput',
    '',
    `One file of ${fixed(x.fileBytes / MiB, 0)} MiB in ${fixed(x.chunkBytes / MiB, 0)} MiB chunks, ${x.inFlight} in flight, from a file on disk streamed`,
    'with `node:http` (no global fetch, no chunk held in memory). MB/s = 10^6 bytes per second, from the first byte',
    'to the last answer (init and complete excluded), after one unmeasured warm-up upload per target.',
    '',
    '| target | MB/s per run | median MB/s | vs direct |',
    '| --- | --- | --- | --- |',
    ...CHUNK_TARGETS.map(
      (t) =>
        `| ${TARGET_TEXT[t]} | ${list(x.mbps[t])} | ${fixed(median(x.mbps[t]))} | ${fixed(ratio(median(x.mbps[t]), direct), 2)}x |`,
    ),
    '',
    `Chunk route vs tus: **${fixed(ratio(median(x.mbps.api), median(x.mbps.tus)), 2)}x**. Chunk route vs the bare relay: **${fixed(ratio(median(x.mbps.api), median(x.mbps.relay)), 2)}x**.`,
    '',
    `The bare relay itself reaches ${fixed(ratio(median(x.mbps.relay), direct), 2)}x of the direct PUT: a server in the path receives and sends again`,
    'every byte on the cores radosgw uses too, and with the machine near 100 % busy that CPU is taken from storage.',
    'What the chunk route costs beyond the relay (token, session, exact-length check, progress) is the gap between those two rows.',
    '',
    `API memory (VmRSS from /proc, sampled every 50 ms): ${fixed(x.apiRestRss / MiB, 0)} MiB before the first run; peak per run`,
    `${list(
      x.apiPeakRss.map((b) => b / MiB),
      0,
    )} MiB (median **${fixed(median(x.apiPeakRss) / MiB, 0)} MiB**). tus server peak: ${list(
      x.tusPeakRss.map((b) => b / MiB),
      0,
    )} MiB.`,
    '',
    'Where the CPU went: CPU seconds per GiB uploaded (user + system, from /proc; median of the runs), and how busy the',
    'whole machine was meanwhile. "Machine busy" counts every process, the bench\'s PostgreSQL and Redis and the kernel\'s',
    'loopback work included, not only the columns. CPU per GiB is what a path costs wherever it runs; its MB/s also depends',
    'on how that work spreads over the two cores (each server here is one Node thread), so a path can be slower with less CPU.',
    '',
    '| target | client | server in the path | radosgw | ceph-osd | total | machine busy |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...CHUNK_TARGETS.map((t) => cpuRow(t, x.cpu[t], x.fileBytes)),
    '',
    `Per byte, the API costs ${fixed(serverPerGiB(x, 'tus') / serverPerGiB(x, 'api'), 1)}x less CPU than the tus server (${fixed(serverPerGiB(x, 'api'), 2)} vs ${fixed(serverPerGiB(x, 'tus'), 2)} CPU s/GiB):`,
    'with storage on other machines, that is the ratio the two would approach once CPU-bound.',
    `Reelay's own tus endpoint costs ${fixed(serverPerGiB(x, 'reelay-tus'), 2)} CPU s/GiB, ${fixed(serverPerGiB(x, 'reelay-tus') / serverPerGiB(x, 'tus'), 2)}x what @tus/server costs: it`,
    "spools each part to a local file before it stores it (S3 needs a part's length; a PATCH has no part boundaries).",
    '',
    `The API's CPU per GiB in each run: ${list(perRunPerGiB(x, 'api'), 2)} (the bare relay's: ${list(perRunPerGiB(x, 'relay'), 2)}).`,
    'Without `--heap-growing-percent=100` (scripts/node-flags.ts) some runs cost two to four times the usual CPU: V8 ran',
    "a full mark-compact of the API's ~45 MiB heap every ~250 ms, because the memory of socket buffers counts toward the",
    "old generation's limit and V8 left the API only 9-25 MiB of slack (traced with `--trace-gc`). The flag lets the old",
    "generation double between full collections; the relay's heap is a few MiB, so it never paid much for them.",
    '',
  ];
}

function perRunPerGiB(x: ChunkRouteResult, target: ChunkTarget): number[] {
  return x.cpu[target].map((r) => (r.seconds.server ?? Number.NaN) / (x.fileBytes / 1024 ** 3));
}

function serverPerGiB(x: ChunkRouteResult, target: ChunkTarget): number {
  return median(perRunPerGiB(x, target));
}

function cpuRow(target: ChunkTarget, runs: CpuUse[], bytes: number): string {
  const perGiB = (name: string) => median(runs.map((r) => r.seconds[name] ?? Number.NaN)) / (bytes / 1024 ** 3);
  const names = ['client', 'server', 'radosgw', 'osd'];
  const total = names
    .map(perGiB)
    .filter(Number.isFinite)
    .reduce((a, b) => a + b, 0);
  const cell = (name: string) => (Number.isFinite(perGiB(name)) ? fixed(perGiB(name), 2) : '-');
  return `| ${target} | ${names.map(cell).join(' | ')} | ${fixed(total, 2)} | ${fixed(100 * median(runs.map((r) => r.machineBusy)), 0)} % |`;
}

function progressSection(r: Report): string[] {
  const x = r.results.progress!;
  const rows: string[] = [];
  for (const chunks of x.chunkCounts) {
    const bare = median(x.runs[progressKey('bare', chunks)].map((s) => s.rps));
    for (const server of ['api', 'bare'] as const) {
      const runs = x.runs[progressKey(server, chunks)];
      const rps = median(runs.map((s) => s.rps));
      const name = server === 'api' ? '**API** GET /batch/progress/:id' : 'bare Fastify + ioredis, same Redis read';
      const m = (f: keyof PollStats) => median(runs.map((s) => s[f]));
      rows.push(
        `| ${name} | ${chunks} | ${list(
          runs.map((s) => s.rps),
          0,
        )} | ${fixed(rps, 0)} | ${fixed(m('p50'), 0)} | ${fixed(m('p99'), 0)} | ${fixed(ratio(rps, bare), 2)}x | ${fixed(m('serverUs'), 0)} | ${fixed(m('redisUs'), 0)} | ${fixed(100 * m('machineBusy'), 0)} % |`,
      );
    }
  }
  const floor = x.runs[HEALTH_KEY];
  if (floor) {
    const m = (f: keyof PollStats) => median(floor.map((s) => s[f]));
    rows.push(
      `| API GET /health: a Nest controller route (global guards, pipe, interceptor) with no token and no Redis | - | ${list(
        floor.map((s) => s.rps),
        0,
      )} | ${fixed(m('rps'), 0)} | ${fixed(m('p50'), 0)} | ${fixed(m('p99'), 0)} | ${fixed(ratio(m('rps'), median(x.runs[progressKey('bare', x.chunkCounts[0])].map((s) => s.rps))), 2)}x | ${fixed(m('serverUs'), 0)} | ${fixed(m('redisUs'), 0)} | ${fixed(100 * m('machineBusy'), 0)} % |`,
    );
  }
  return [
    '## 2. Progress route',
    '',
    `autocannon, ${x.connections} connections, ${x.seconds} s per run, after a 2 s warm-up. Sessions made by init, the first half`,
    'of their chunks marked done but every tenth (in flight), so that the answer carries one stored range per ten chunks.',
    'The API keeps its default PROGRESS_SYNC_INTERVAL_MS (1 s): about one poll a second also starts a look in storage',
    '(ListParts), which runs behind its answer (stale-while-revalidate, progress-sync.ts).',
    "The API's route is a Fastify route (progress.route.ts), with everything it answers with in production: token check",
    '(verified tokens cached), UUID check, ownership, security headers, CORS, storage sync. The same poll as a Nest',
    'controller route (global guards, pipes, envelope interceptor) cost about 1.6x its CPU: the /health row shows Nest alone.',
    'The bare handler is RedisProgressStore.get (one EVALSHA) on Fastify, with no token check, validation or sync.',
    '',
    "CPU µs per request are the server's and Redis's own CPU time (from /proc) divided by the requests answered:",
    'they depend less than req/s on what else runs on the machine, but still move from run to run (each goal gives its runs).',
    '',
    '| server | chunks | req/s per run | median req/s | p50 ms | p99 ms | vs bare | server CPU µs/req | Redis CPU µs/req | machine busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `${x.openSessions.toLocaleString('en')} other uploads were open meanwhile (made by init: rows in PostgreSQL, keys in Redis, multipart uploads in radosgw).`,
    '',
    ...scaleRows(x),
  ];
}

function scaleRows(x: NonNullable<Report['results']['progress']>): string[] {
  if (x.scale.length === 0) return [];
  return [
    '### Progress at scale',
    '',
    `autocannon at a fixed rate (overallRate), each poll for one of the ${x.openSessions.toLocaleString('en')} open uploads at random, ${x.seconds} s per run,`,
    `over enough connections that answers of up to ${SCALE_SLACK_MS} ms each still leave the full rate sent (a connection waits for its answer).`,
    `A poll of an upload whose last look is ${x.syncIntervalMs} ms old starts a look in storage (ListParts) behind its answer, unless`,
    'the API already runs PROGRESS_SYNC_CONCURRENCY (4) looks; a poll never waits for storage. Listings are counted by radosgw',
    'itself (its `rgw.req` counter: nothing else calls it meanwhile); the most allowed is, per upload, its polls taken at least one',
    'sync interval apart.',
    '',
    '| run | polls/s asked | answered | p50 ms | p99 ms | failed | uploads polled | polls | listings | most allowed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...x.scale.map(
      (s, i) =>
        `| ${i + 1} | ${s.rate} | ${fixed(s.rps, 0)} | ${s.p50} | ${s.p99} | ${s.failed} | ${s.uploadsPolled} | ${s.polls} | ${s.listings ?? 'n/a'} | ${s.allowedListings} |`,
    ),
    '',
    ...looksPace(x),
  ];
}

/**
 * How often each upload gets a look at the pace the runs kept: the looks are bounded (PROGRESS_SYNC_CONCURRENCY at
 * once), so with this many uploads polled, a part PUT straight to storage shows that much later.
 */
function looksPace(x: NonNullable<Report['results']['progress']>): string[] {
  const perSecond = x.scale.flatMap((s) => (s.listings === undefined ? [] : [s.listings / x.seconds]));
  if (perSecond.length === 0) return [];
  const pace = median(perSecond);
  return [
    `Looks in storage ran at ${fixed(pace, 0)} a second (median of the runs): with ${x.openSessions.toLocaleString('en')} uploads polled, a look for`,
    `each about every ${fixed(x.openSessions / pace, 0)} s, so a part PUT straight to storage shows that late at this load, not within one interval.`,
    'The chunk route and tus count their chunks as they land, with no look.',
    '',
  ];
}

function streamsSection(x: StreamsResult): string[] {
  return [
    '## 1b. Many chunk streams at once',
    '',
    `${x.streams} uploads of one ${fixed(x.streamBytes / MiB, 0)} MiB chunk each (made by init), every chunk POSTed to /batch/chunk at the same moment,`,
    'one connection each, streamed from a file. Seconds are per request, from its first byte to its answer.',
    '',
    '| run | succeeded | median s | slowest s | slowest / median | API peak RSS | API CPU s |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...x.runs.map((run, i) => {
      const ok = run.seconds.filter(Number.isFinite);
      return `| ${i + 1} | ${ok.length} of ${x.streams} | ${fixed(median(ok))} | ${fixed(Math.max(...ok))} | ${fixed(Math.max(...ok) / median(ok), 2)}x | ${fixed(run.peakRss / MiB, 0)} MiB | ${fixed(run.cpu.seconds.api ?? Number.NaN, 1)} |`;
    }),
    '',
  ];
}

function workerSection(x: WorkerResult): string[] {
  const speed = (seconds: number[]) => seconds.map((s) => x.videoBytes / MiB / s);
  return [
    '## 6. The worker: what it reads from storage',
    '',
    `A ${fixed(x.videoBytes / MiB, 0)} MiB test video made by ffmpeg (1080p30 H.264 at about 31 Mbit/s, AAC; bench/support/media.ts) in the bench bucket.`,
    "The worker's own probe and thumbnail steps read it through a presigned URL pointing at a proxy that counts the bytes",
    `radosgw sent: **${x.probeBytes}** bytes to probe and **${x.thumbnailBytes}** to make the thumbnail (${fixed((100 * (x.probeBytes + x.thumbnailBytes)) / x.videoBytes, 2)} % of the video).`,
    '',
    'Its sha256 pass (apps/worker/src/media/sha256.ts over ObjectStorage.readRange) beside a plain GET of the same object',
    'through the same library, whose bytes are dropped, in alternating order:',
    '',
    '| pass | MiB/s per run | median MiB/s | CPU s/GiB: reader | radosgw + OSD | machine busy |',
    '| --- | --- | --- | --- | --- | --- |',
    `| plain GET | ${list(speed(x.getSeconds), 0)} | ${fixed(median(speed(x.getSeconds)), 0)} | ${passCpu(x, x.getCpu)} |`,
    `| sha256 pass | ${list(speed(x.hashSeconds), 0)} | ${fixed(median(speed(x.hashSeconds)), 0)} | ${passCpu(x, x.hashCpu)} |`,
    '',
    `SHA-256 alone over memory on one core: ${fixed(x.sha256MemoryMiBps, 0)} MiB/s. The reader's CPU is the bench process's`,
    `(reading, and hashing on the same thread): ${fixed(passCores(x, x.getCpu, x.getSeconds, READER), 2)} of a core during the GET, ${fixed(passCores(x, x.hashCpu, x.hashSeconds, READER), 2)} during the sha256 pass`,
    '(its CPU per GiB times its GiB/s). Near one core, the reading thread bounds the pass: the hash adds its CPU per GiB to',
    `the GET's on that thread, while storage (radosgw + OSD) kept ${fixed(passCores(x, x.hashCpu, x.hashSeconds, STORAGE), 2)} of a core busy beside it.`,
    '',
  ];
}

/** Cores `names` kept busy during a pass: their median CPU per GiB times the pass's median GiB/s. */
function passCores(x: WorkerResult, runs: WorkerResult['getCpu'], seconds: number[], names: string[]): number {
  return passCpuPerGiB(x, runs, names) * (x.videoBytes / 1024 ** 3 / median(seconds));
}

/** `reader | radosgw + OSD | machine busy` cells: medians of the runs, CPU s per GiB. */
function passCpu(x: WorkerResult, runs: WorkerResult['getCpu']): string {
  const busy = median(runs.map((run) => run.machineBusy));
  return `${fixed(passCpuPerGiB(x, runs, READER), 2)} | ${fixed(passCpuPerGiB(x, runs, STORAGE), 2)} | ${fixed(100 * busy, 0)} %`;
}

function initSection(r: Report): string[] {
  const x = r.results.init!;
  const all = x.runs.flat();
  return [
    '## 3. Init',
    '',
    `POST /batch/init with ${x.files} files of ${x.parts} parts each (${fixed(x.fileBytes / 1024 ** 3, 1)} GiB per file), one call at a time;`,
    `${all.length} calls in ${x.runs.length} runs after 3 warm-up calls. Each answer carries ${x.files * x.parts} part URLs (${fixed(x.answerBytes / MiB, 2)} MiB of JSON).`,
    'Latency is from sending the request to the last byte of the answer (undici); the client decodes and parses the JSON afterwards.',
    '',
    '| | p50 ms | p99 ms | min ms | max ms |',
    '| --- | --- | --- | --- | --- |',
    `| all calls | ${fixed(median(all))} | ${fixed(quantile(all, 0.99))} | ${fixed(Math.min(...all))} | ${fixed(Math.max(...all))} |`,
    ...x.runs.map(
      (run, i) =>
        `| run ${i + 1} | ${fixed(median(run))} | ${fixed(quantile(run, 0.99))} | ${fixed(Math.min(...run))} | ${fixed(Math.max(...run))} |`,
    ),
    `| ${x.gzip.times.length} calls sending \`Accept-Encoding: ${BROWSER_ACCEPT_ENCODING}\`, as browsers do | ${fixed(median(x.gzip.times))} | ${fixed(quantile(x.gzip.times, 0.99))} | ${fixed(Math.min(...x.gzip.times))} | ${fixed(Math.max(...x.gzip.times))} |`,
    '',
    `With that header the answer is gzip-compressed: ${fixed(x.gzip.wireBytes / 1024, 0)} KiB on the wire instead of ${fixed(x.answerBytes / 1024, 0)} KiB (${fixed(x.answerBytes / x.gzip.wireBytes, 1)}x less),`,
    `so at 100 Mbit/s the answer takes about ${fixed((x.gzip.wireBytes * 8) / 1e5, 0)} ms to arrive instead of ${fixed((x.answerBytes * 8) / 1e5, 0)} ms. Over loopback compression is only a cost;`,
    'the goal is measured without it.',
    '',
    `The API used **${fixed(median(x.apiCpuMs), 0)} ms of CPU per call** (median of the runs: ${list(x.apiCpuMs, 0)}). It is the whole process's CPU, every`,
    "thread's (V8's garbage collector helpers and libuv's pool included), so it can exceed a call's time from the client's side.",
    '',
    `A typical batch, ${x.typical.files} files of ${fixed(x.typical.fileBytes / 1024 ** 3, 0)} GiB (${x.typical.parts} parts each): p50 ${fixed(median(x.typical.runs.flat()))} ms per call, and`,
    `**${fixed(median(x.typical.apiCpuMs), 2)} ms of API CPU per call** (runs: ${list(x.typical.apiCpuMs, 2)}; ${x.typical.runs[0]?.length ?? 0} calls per run).`,
    '',
    "Parts of that work timed alone in the bench process, with libs/storage and the API's S3 client options:",
    '',
    `- signing ${x.files * x.parts} part URLs (S3ObjectStorage.presignParts, one call per file, side by side): **${fixed(x.presignMs)} ms** (${fixed((1000 * x.presignMs) / (x.files * x.parts), 0)} µs each)`,
    `- ${x.files} CreateMultipartUpload calls to radosgw, one after the other: **${fixed(x.createMultipartMs)} ms**`,
    '',
  ];
}

function memorySection(x: SessionMemoryResult): string[] {
  return [
    '## 4. Redis memory per open session',
    '',
    `${x.sessions.toLocaleString('en')} sessions created through RedisProgressStore (as init does), INFO memory used_memory before and after,`,
    'divided by the number of sessions; MEMORY USAGE summed over every key of 200 of them as a cross-check.',
    '',
    '| state | used_memory delta per session | MEMORY USAGE per session |',
    '| --- | --- | --- |',
    `| just initialised (hash of counters and metadata) | ${fixed(x.initBytes, 0)} B | ${fixed(x.initSampleBytes, 0)} B |`,
    `| mid-upload, ${x.chunks} chunks (bitmap of ${x.chunks / 8} bytes, 1 failed chunk) | ${fixed(x.midUploadBytes, 0)} B | ${fixed(x.midUploadSampleBytes, 0)} B |`,
    '',
    `${x.sessions.toLocaleString('en')} open sessions mid-upload take about ${fixed((x.midUploadBytes * x.sessions) / MiB, 1)} MiB of Redis.`,
    '',
  ];
}

function sdkSection(x: SdkResult): string[] {
  const raw = median(x.mbps.raw);
  const text = {
    sdk: '**Node SDK**: `createReelay` + `fileFromPath` + `uploadBatch`, with an onProgress callback',
    raw: 'raw client: init, node:http PUT of every part URL streamed from the file, complete',
  };
  return [
    '## 5. The SDK against raw presigned PUTs',
    '',
    `One batch of ${x.files} files of ${fixed(x.fileBytes / MiB, 0)} MiB in ${fixed(x.partBytes / MiB, 0)} MiB parts, sent through the presigned part URLs of one init, each file`,
    `completed as soon as its parts are stored; ${x.concurrency} parts in flight over the batch and ${x.perFile} per file on both sides. MB/s = 10^6 bytes`,
    'per second from init to the last complete, after one unmeasured warm-up batch of two files per side. Both clients',
    'run in the bench process: CPU is its own (process.cpuUsage) during the upload, per GiB uploaded.',
    '',
    '| client | MB/s per run | median MB/s | vs raw | client CPU s/GiB per run | median CPU s/GiB | machine busy |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...SDK_SIDES.map(
      (side) =>
        `| ${text[side]} | ${list(x.mbps[side])} | ${fixed(median(x.mbps[side]))} | ${fixed(ratio(median(x.mbps[side]), raw), 2)}x | ${list(sdkCpuPerGiB(x, side), 2)} | ${fixed(median(sdkCpuPerGiB(x, side)), 2)} | ${fixed(100 * median(x.machineBusy[side]), 0)} % |`,
    ),
    '',
  ];
}

function profileSection(r: Report): string[] {
  const out = [
    '## CPU profiles of the API',
    '',
    'Taken in a separate pass (the measured runs are not profiled) by the V8 CPU profiler loaded into the API',
    '(bench/support/profiler.preload.ts: the profiler of `node --cpu-prof`, started and stopped around one workload).',
    'Percentages are of busy (non-idle) time. The .cpuprofile files open in Chrome DevTools. The profiler samples',
    'wall time, so a native frame such as writev or writeBuffer (a socket write) also holds the time the thread waited',
    'there for a core: on a busy 2-core machine, a write that wakes the receiver often hands it the core.',
    '',
  ];
  for (const { suite, summary: s } of r.profiles) {
    out.push(
      `### ${suite}`,
      '',
      `\`${s.file}\`: ${fixed(s.busyMs, 0)} ms busy of ${fixed(s.totalMs, 0)} ms.`,
      '',
      table('self time by package or file', s.byArea),
      table('self time by function', s.bySelf),
    );
  }
  return out;
}

function table(title: string, rows: Row[]): string {
  return [
    `| ${title} | ms | % busy |`,
    '| --- | --- | --- |',
    ...rows.map((row) => `| \`${row.name.replaceAll('|', '\\|')}\` | ${fixed(row.ms, 0)} | ${fixed(row.percent, 1)} |`),
    '',
  ].join('\n');
}

function howToRun(): string[] {
  return [
    '## Running it',
    '',
    "`npm run bench` after the README's set-up (PostgreSQL and Redis on their local ports, Ceph's radosgw installed).",
    'It builds, starts radosgw with scripts/s3-server.sh unless it runs (or uses S3_ENDPOINT), creates and later drops',
    'a database of its own, uses a Redis key prefix and a bucket of its own, and starts the built API as a child process.',
    'Knobs (environment): `BENCH_RUNS` (5), `BENCH_FILE_MIB` (1024), `BENCH_CHUNK_MIB` (64), `BENCH_IN_FLIGHT` (4),',
    '`BENCH_PROGRESS_SECONDS` (8), `BENCH_PROGRESS_CONNECTIONS` (10), `BENCH_PROGRESS_CHUNKS` (1000), `BENCH_INIT_CALLS` (20),',
    '`BENCH_INIT_FILES` (5), `BENCH_INIT_PARTS` (1000), `BENCH_SESSIONS` (10000), `BENCH_SDK_FILES` (5),',
    '`BENCH_SDK_FILE_MIB` (256), `BENCH_SDK_CONCURRENCY` (8), `BENCH_SDK_PER_FILE` (4), `BENCH_STREAMS` (64),',
    '`BENCH_STREAM_MIB` (64), `BENCH_OPEN_SESSIONS` (10000), `BENCH_SCALE_RATE` (2000), `BENCH_HASH_MIB` (1024),',
    '`BENCH_ONLY` (chunk,streams,progress,init,memory,sdk,worker),',
    '`BENCH_PROFILE` (auto: profile the suites that miss a goal; always; never), `BENCH_DIR` (scratch: test files, profiles),',
    '`BENCH_OUTPUT` (BENCHMARKS.md for every suite; with BENCH_ONLY, BENCHMARKS-<suites>.md in BENCH_DIR, so that a partial',
    'run never replaces this file). A quick run: `BENCH_RUNS=1 BENCH_FILE_MIB=256 BENCH_PROGRESS_SECONDS=3 npm run bench`.',
    '',
  ];
}
