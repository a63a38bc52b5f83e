/** The goals, checked against the medians of a run. Nothing asserts them: they are reported. */
import type { Suite } from '../bench.config.js';
import type { ChunkRouteResult } from '../suites/chunk-route.bench.js';
import type { InitResult } from '../suites/init.bench.js';
import { type ProgressRouteResult, progressKey } from '../suites/progress-route.bench.js';
import type { SdkResult, SdkSide } from '../suites/sdk.bench.js';
import { fixed, median, MiB, pairedRange, quantile, ratio } from './stats.js';

export interface Goal {
  suite: Suite;
  goal: string;
  measured: string;
  met: boolean;
}

export interface Results {
  chunk?: ChunkRouteResult;
  progress?: ProgressRouteResult;
  init?: InitResult;
  sdk?: SdkResult;
}

export function chunkGoals(r: ChunkRouteResult): Goal[] {
  const api = median(r.mbps.api);
  const direct = ratio(api, median(r.mbps.direct));
  const tus = ratio(api, median(r.mbps.tus));
  const rss = median(r.apiPeakRss) / MiB;
  return [
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

export function progressGoals(r: ProgressRouteResult): Goal[] {
  const goals: Goal[] = [];
  const m = (key: string, field: 'rps' | 'p50' | 'p99' | 'serverUs') => median(r.runs[key].map((s) => s[field]));
  const rps = (key: string) => r.runs[key].map((s) => s.rps);
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
  return [
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

export function allGoals(results: Results): Goal[] {
  return [
    ...(results.chunk ? chunkGoals(results.chunk) : []),
    ...(results.progress ? progressGoals(results.progress) : []),
    ...(results.init ? initGoals(results.init) : []),
    ...(results.sdk ? sdkGoals(results.sdk) : []),
  ];
}
