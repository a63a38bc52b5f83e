/**
 * `npm run bench`: measures the upload path against its limits and its peers, in CPU per unit of work and
 * at scale (issues 5 and 21), and writes
 * BENCHMARKS.md. Starts what it needs (radosgw, a database, the built API), runs each suite, profiles
 * the API where a goal is missed, and cleans up what it created.
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { type BenchConfig, loadBenchConfig, type Suite } from './bench.config.js';
import { type ProfileSummary, summarizeProfile } from './support/cpu-profile.js';
import { allGoals } from './support/goals.js';
import { describeMachine, loadAverage } from './support/machine.js';
import { renderReport, type Report } from './support/report.js';
import { type Api, BenchStack } from './support/stack.js';
import { benchChunkRoute, profileChunkRoute } from './suites/chunk-route.bench.js';
import { benchInit, profileInit } from './suites/init.bench.js';
import { benchProgressRoute, profileProgressRoute } from './suites/progress-route.bench.js';
import { benchSdk } from './suites/sdk.bench.js';
import { benchSessionMemory } from './suites/session-memory.bench.js';
import { benchStreams } from './suites/streams.bench.js';
import { benchWorker } from './suites/worker.bench.js';

const log = (line: string) => console.log(`bench: ${line}`);

const PROFILERS: Partial<Record<Suite, (stack: BenchStack, api: Api, config: BenchConfig) => Promise<string>>> = {
  chunk: profileChunkRoute,
  progress: profileProgressRoute,
  init: profileInit,
};

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const startedAt = new Date();
  const t0 = performance.now();
  mkdirSync(config.workDir, { recursive: true });
  const stack = new BenchStack(config);
  let api: Api | undefined;
  try {
    log(`starting radosgw, database ${stack.database}, Redis prefix ${stack.redisPrefix}`);
    await stack.start();
    const machine = describeMachine(await stack.redis.info('server'));
    log(
      `${Object.keys(stack.auth).length ? 'with' : 'without'} a bearer token; suites: ${config.suites.join(', ')}; ${config.runs} runs`,
    );
    api = await stack.startApi();

    const results: Report['results'] = {};
    const has = (suite: Suite) => config.suites.includes(suite);
    if (has('chunk')) results.chunk = await benchChunkRoute(stack, api, config, log);
    if (has('streams')) results.streams = await benchStreams(stack, api, config, log);
    // Init before progress: the progress suite leaves its 10,000 open sessions to one user, and init's
    // cost is measured for a user with the open uploads of a typical deployment, not that many.
    if (has('init')) results.init = await benchInit(stack, api, config, log);
    if (has('progress')) results.progress = await benchProgressRoute(stack, api, config, log);
    if (has('sdk')) results.sdk = await benchSdk(stack, api, config, log);
    if (has('memory')) results.memory = await benchSessionMemory(stack, config, log);
    if (has('worker')) results.worker = await benchWorker(stack, config, log);
    await api.child.stop();
    api = undefined;

    const goals = allGoals(results);
    for (const g of goals) log(`goal ${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ${g.measured}`);
    const profiles = await profile(
      stack,
      config,
      goals.filter((g) => !g.met).map((g) => g.suite),
    );

    const report: Report = {
      config,
      machine,
      startedAt,
      seconds: (performance.now() - t0) / 1000,
      loadAfter: loadAverage(),
      results,
      goals,
      profiles,
    };
    writeFileSync(config.output, renderReport(report));
    log(`wrote ${config.output} in ${((performance.now() - t0) / 60_000).toFixed(1)} min`);
  } finally {
    await api?.child.stop();
    await stack.teardown();
  }
}

/** One profiled pass per suite that missed a goal (BENCH_PROFILE=auto), or per suite (always). */
async function profile(
  stack: BenchStack,
  config: BenchConfig,
  missed: Suite[],
): Promise<Array<{ suite: string; summary: ProfileSummary }>> {
  const suites = config.suites.filter(
    (s) => PROFILERS[s] && (config.profile === 'always' || (config.profile === 'auto' && missed.includes(s))),
  );
  const out: Array<{ suite: string; summary: ProfileSummary }> = [];
  for (const suite of suites) {
    const api = await stack.startApi({ profile: true });
    try {
      const file = await PROFILERS[suite]!(stack, api, config);
      log(`profiled ${suite}: ${file}`);
      out.push({ suite, summary: summarizeProfile(file) });
    } finally {
      await api.child.stop();
    }
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
