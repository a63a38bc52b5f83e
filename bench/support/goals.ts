/** The issue's goals, checked against the medians of a run. Nothing asserts them: they are reported. */
import type { Suite } from '../bench.config.js';
import type { ChunkRouteResult } from '../suites/chunk-route.bench.js';
import type { InitResult } from '../suites/init.bench.js';
import { type ProgressRouteResult, progressKey } from '../suites/progress-route.bench.js';
import type { SdkResult, SdkSide } from '../suites/sdk.bench.js';
import type { StreamsResult } from '../suites/streams.bench.js';
import type { WorkerResult } from '../suites/worker.bench.js';
import { fixed, median, MiB, pairedRange, quantile, ratio } from './stats.js';

export interface Goal {
  suite: Suite;
  goal: string;
  measured: string;
  met: boolean;
}

export interface Results {
  chunk?: ChunkRouteResult;
  streams?: StreamsResult;
  progress?: ProgressRouteResult;
  init?: InitResult;
  sdk?: SdkResult;
  worker?: WorkerResult;
}

/** "1.2-3.4": the lowest and highest of the runs. */
const spread = (values: number[], digits = 1) =>
  values.length === 0 ? 'n/a' : `${fixed(Math.min(...values), digits)}-${fixed(Math.max(...values), digits)}`;

/** CPU seconds per GiB of the server in the path, in each run of `target`. */
export function serverCpuPerGiB(r: ChunkRouteResult, target: keyof ChunkRouteResult['cpu']): number[] {
  return r.cpu[target].map((run) => (run.seconds.server ?? Number.NaN) / (r.fileBytes / 1024 ** 3));
}

export function chunkGoals(r: ChunkRouteResult): Goal[] {
  const api = median(r.mbps.api);
  const direct = ratio(api, median(r.mbps.direct));
  const tus = ratio(api, median(r.mbps.tus));
  const rss = median(r.apiPeakRss) / MiB;
  const cpu = (target: keyof ChunkRouteResult['cpu']) => serverCpuPerGiB(r, target);
  const vsRelay = ratio(median(cpu('api')), median(cpu('relay')));
  const vsTus = ratio(median(cpu('api')), median(cpu('tus')));
  return [
    {
      suite: 'chunk',
      goal: "chunk route: API CPU per GiB <= 1.5x the bare relay's",
      measured: `${fixed(vsRelay, 2)}x (${fixed(median(cpu('api')), 2)} vs ${fixed(median(cpu('relay')), 2)} CPU s/GiB; runs ${pairedRange(cpu('api'), cpu('relay'))})`,
      met: vsRelay <= 1.5,
    },
    {
      suite: 'chunk',
      goal: "chunk route: API CPU per GiB <= 0.25x @tus/server's",
      measured: `${fixed(vsTus, 2)}x (${fixed(median(cpu('api')), 2)} vs ${fixed(median(cpu('tus')), 2)} CPU s/GiB; runs ${pairedRange(cpu('api'), cpu('tus'))})`,
      met: vsTus <= 0.25,
    },
    {
      suite: 'chunk',
      goal: 'chunk route >= 0.9x direct PUT',
      measured: `${fixed(direct, 3)}x (${fixed(api)} vs ${fixed(median(r.mbps.direct))} MB/s; runs ${pairedRange(r.mbps.api, r.mbps.direct)}; a bare node:http relay: ${fixed(ratio(median(r.mbps.relay), median(r.mbps.direct)), 3)}x)`,
      met: direct >= 0.9,
    },
    {
      suite: 'chunk',
      goal: 'chunk route >= 1.5x tus',
      measured: `${fixed(tus, 3)}x (${fixed(api)} vs ${fixed(median(r.mbps.tus))} MB/s; runs ${pairedRange(r.mbps.api, r.mbps.tus)})`,
      met: tus >= 1.5,
    },
    {
      suite: 'chunk',
      goal: 'peak API RSS <= 200 MiB',
      measured: `${fixed(rss, 0)} MiB (median of run peaks; max ${fixed(Math.max(...r.apiPeakRss) / MiB, 0)})`,
      met: rss <= 200,
    },
  ];
}

export function streamsGoals(r: StreamsResult): Goal[] {
  const failed = r.runs.reduce((n, run) => n + run.failures.length, 0);
  const total = r.runs.length * r.streams;
  const rss = r.runs.map((run) => run.peakRss / MiB);
  const slowness = r.runs.map((run) => {
    const ok = run.seconds.filter(Number.isFinite);
    return Math.max(...ok) / median(ok);
  });
  const what = `${r.streams} chunk streams of ${fixed(r.streamBytes / MiB, 0)} MiB at once`;
  return [
    {
      suite: 'streams',
      goal: `${what}: all succeed`,
      measured: `${total - failed} of ${total} in ${r.runs.length} runs${failed ? ` (${r.runs.flatMap((x) => x.failures)[0]})` : ''}`,
      met: failed === 0,
    },
    {
      suite: 'streams',
      goal: `${what}: API RSS <= 256 MiB`,
      measured: `${fixed(Math.max(...rss), 0)} MiB (peak of the runs; runs ${spread(rss, 0)} MiB)`,
      met: Math.max(...rss) <= 256,
    },
    {
      suite: 'streams',
      goal: `${what}: no stream starved (slowest within 3x of the median)`,
      measured: `${fixed(Math.max(...slowness), 2)}x (worst run; runs ${spread(slowness, 2)}x)`,
      met: Math.max(...slowness) <= 3,
    },
  ];
}

export function progressGoals(r: ProgressRouteResult): Goal[] {
  const goals: Goal[] = [];
  const m = (key: string, field: 'rps' | 'p50' | 'p99' | 'serverUs') => median(r.runs[key].map((s) => s[field]));
  const rps = (key: string) => r.runs[key].map((s) => s.rps);
  const us = (key: string) => r.runs[key].map((s) => s.serverUs);
  for (const chunks of r.chunkCounts) {
    const [api, bare] = [progressKey('api', chunks), progressKey('bare', chunks)];
    const cpu = ratio(m(api, 'serverUs'), m(bare, 'serverUs'));
    goals.push({
      suite: 'progress',
      goal: `progress (${chunks} chunks): API CPU per poll <= 1.5x the bare handler's, with ${r.openSessions} open sessions`,
      measured: `${fixed(cpu, 2)}x (${fixed(m(api, 'serverUs'), 0)} vs ${fixed(m(bare, 'serverUs'), 0)} µs; runs ${pairedRange(us(api), us(bare))})`,
      met: cpu <= 1.5,
    });
  }
  if (r.scale.length > 0) {
    const p99 = r.scale.map((s) => s.p99);
    const listed = r.scale.map((s) => (s.listings === undefined ? Number.NaN : s.listings / s.allowedListings));
    const rate = r.scale[0].rate;
    goals.push(
      {
        suite: 'progress',
        goal: `progress at scale (${rate} polls/s over ${r.openSessions} sessions): p99 <= 10 ms`,
        measured: `${fixed(median(p99), 0)} ms (runs ${spread(p99, 0)} ms; ${fixed(median(r.scale.map((s) => s.rps)), 0)} polls/s answered; ${r.scale.reduce((n, s) => n + s.failed, 0)} failed or timed out)`,
        met: median(p99) <= 10 && r.scale.every((s) => s.failed === 0),
      },
      {
        suite: 'progress',
        goal: `progress at scale: storage listings at most one per upload per sync interval (${r.syncIntervalMs} ms)`,
        measured: r.scale.some((s) => s.listings === undefined)
          ? "not measured: the S3 server is not the bench's own radosgw"
          : `${fixed(Math.max(...listed), 2)}x the most allowed (worst run; ${r.scale.map((s) => `${s.listings} of ${s.allowedListings}`).join(', ')} listings)`,
        met: r.scale.every((s) => s.listings !== undefined && s.listings <= s.allowedListings),
      },
    );
  }
  for (const chunks of r.chunkCounts) {
    const api = progressKey('api', chunks);
    const share = ratio(m(api, 'rps'), m(progressKey('bare', chunks), 'rps'));
    goals.push({
      suite: 'progress',
      goal: `progress (${chunks} chunks) >= 0.7x bare handler`,
      measured: `${fixed(share, 3)}x (${fixed(m(api, 'rps'), 0)} vs ${fixed(m(progressKey('bare', chunks), 'rps'), 0)} req/s; runs ${pairedRange(rps(api), rps(progressKey('bare', chunks)))})`,
      met: share >= 0.7,
    });
    goals.push({
      suite: 'progress',
      goal: `progress (${chunks} chunks) p99 <= 20 ms at saturation`,
      measured: `${fixed(m(api, 'p99'), 0)} ms (${r.connections} connections)`,
      met: m(api, 'p99') <= 20,
    });
  }
  // "Must not grow with the chunk count": judged on the API's own CPU per request, which other load on
  // the machine moves less than req/s, with a margin for the noise that remains (+-10 % between runs here).
  const [many, few] = r.chunkCounts.map((c) => progressKey('api', c));
  const growth = ratio(m(many, 'serverUs'), m(few, 'serverUs'));
  goals.push({
    suite: 'progress',
    goal: `cost does not grow from ${r.chunkCounts[1]} to ${r.chunkCounts[0]} chunks (API CPU per request at most 1.15x)`,
    measured: `${fixed(growth, 2)}x: ${fixed(m(many, 'serverUs'), 0)} vs ${fixed(m(few, 'serverUs'), 0)} µs (${fixed(m(many, 'rps'), 0)} vs ${fixed(m(few, 'rps'), 0)} req/s, p99 ${fixed(m(many, 'p99'), 0)} vs ${fixed(m(few, 'p99'), 0)} ms)`,
    met: growth <= 1.15,
  });
  return goals;
}

export function initGoals(r: InitResult): Goal[] {
  const all = r.runs.flat();
  const p50 = median(r.runs.map((run) => median(run)));
  const typical = median(r.typical.apiCpuMs);
  const large = median(r.apiCpuMs);
  return [
    {
      suite: 'init',
      goal: `init: API CPU per call <= 3 ms for a typical batch (${r.typical.files} files of ${fixed(r.typical.fileBytes / 1024 ** 3, 0)} GiB, ${r.typical.parts} parts each)`,
      measured: `${fixed(typical, 2)} ms (runs ${spread(r.typical.apiCpuMs, 2)} ms)`,
      met: typical <= 3,
    },
    {
      suite: 'init',
      goal: `init: API CPU per call <= 25 ms for ${r.files} files x ${r.parts} parts`,
      measured: `${fixed(large, 1)} ms (runs ${spread(r.apiCpuMs, 1)} ms)`,
      met: large <= 25,
    },
    {
      suite: 'init',
      goal: 'init p50 <= 50 ms (5 files x 1,000 parts)',
      measured: `${fixed(p50, 1)} ms (p99 ${fixed(quantile(all, 0.99), 1)} ms)`,
      met: p50 <= 50,
    },
  ];
}

/** CPU seconds of the bench process per GiB uploaded, in each run of one side. */
export function sdkCpuPerGiB(r: SdkResult, side: SdkSide): number[] {
  return r.cpuSeconds[side].map((s) => s / ((r.files * r.fileBytes) / 1024 ** 3));
}

export function sdkGoals(r: SdkResult): Goal[] {
  const sdk = median(r.mbps.sdk);
  const raw = median(r.mbps.raw);
  const share = ratio(sdk, raw);
  const cpu = (side: SdkSide) => fixed(median(sdkCpuPerGiB(r, side)), 2);
  return [
    {
      suite: 'sdk',
      goal: `Node SDK (${r.files} x ${fixed(r.fileBytes / MiB, 0)} MiB, presigned) >= 0.95x raw parallel PUTs`,
      measured: `${fixed(share, 3)}x (${fixed(sdk)} vs ${fixed(raw)} MB/s; runs ${pairedRange(r.mbps.sdk, r.mbps.raw)}; client CPU ${cpu('sdk')} vs ${cpu('raw')} s/GiB)`,
      met: share >= 0.95,
    },
  ];
}

export function workerGoals(r: WorkerResult): Goal[] {
  const read = (r.probeBytes + r.thumbnailBytes) / r.videoBytes;
  const speed = (seconds: number[]) => seconds.map((s) => r.videoBytes / MiB / s);
  const share = ratio(median(speed(r.hashSeconds)), median(speed(r.getSeconds)));
  return [
    {
      suite: 'worker',
      goal: `worker: probe + thumbnail read at most 5 % of a ${fixed(r.videoBytes / 1024 ** 3, 1)} GiB video`,
      measured: `${fixed(100 * read, 2)} % (${r.probeBytes} + ${r.thumbnailBytes} bytes)`,
      met: read <= 0.05,
    },
    {
      suite: 'worker',
      goal: 'worker: the sha256 pass at least 0.9x the speed of a plain S3 GET of the same object',
      measured: `${fixed(share, 2)}x (${fixed(median(speed(r.hashSeconds)), 0)} vs ${fixed(median(speed(r.getSeconds)), 0)} MiB/s; runs ${pairedRange(speed(r.hashSeconds), speed(r.getSeconds))}; CPU s/GiB, reader + storage: ${passCpuParts(r, r.hashCpu)} vs ${passCpuParts(r, r.getCpu)})`,
      met: share >= 0.9,
    },
  ];
}

/** The processes of a worker pass, as its CPU is metered: the reading (bench) process, and storage. */
export const READER = ['reader'];
export const STORAGE = ['radosgw', 'osd'];

/** `reader + storage` CPU s/GiB of a pass, each the median of the runs (the worker table's two columns). */
function passCpuParts(r: WorkerResult, runs: WorkerResult['getCpu']): string {
  return `${fixed(passCpuPerGiB(r, runs, READER), 2)} + ${fixed(passCpuPerGiB(r, runs, STORAGE), 2)}`;
}

/** Median CPU seconds per GiB of a pass, of the reading process and storage together. */
export function passCpuPerGiB(r: WorkerResult, runs: WorkerResult['getCpu'], names?: string[]): number {
  const gib = r.videoBytes / 1024 ** 3;
  return median(
    runs.map(
      (run) =>
        Object.entries(run.seconds)
          .filter(([name]) => !names || names.includes(name))
          .reduce((sum, [, seconds]) => sum + seconds, 0) / gib,
    ),
  );
}

export function allGoals(results: Results): Goal[] {
  return [
    ...(results.chunk ? chunkGoals(results.chunk) : []),
    ...(results.streams ? streamsGoals(results.streams) : []),
    ...(results.worker ? workerGoals(results.worker) : []),
    ...(results.progress ? progressGoals(results.progress) : []),
    ...(results.init ? initGoals(results.init) : []),
    ...(results.sdk ? sdkGoals(results.sdk) : []),
  ];
}
