/**
 * Measure 1b: many chunk streams at once. `streams` uploads of one `streamMiB` chunk each (64 x 64 MiB by
 * default: files under the single-part limit, so each is one chunk) are started through init, then every
 * chunk is POSTed to /batch/chunk at the same moment, one connection each, from the same file on disk. Each
 * request's time from its first byte to its answer is kept: a stream starved by the others shows as a slow
 * one. The API's RSS is sampled meanwhile, and its CPU metered.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchConfig } from '../bench.config.js';
import { BATCH_PATH, initBatch, videoFiles } from '../support/api-client.js';
import { type CpuUse, meterCpu, sampleRss } from '../support/processes.js';
import type { Api, BenchStack } from '../support/stack.js';
import { median, MiB } from '../support/stats.js';
import { ensureTestFile, inPool, keepAliveAgent, send } from '../support/upload-client.js';

/** Files one init call may announce (the seed's batch of at most 5). */
const FILES_PER_INIT = 5;

export interface StreamsRun {
  /** Seconds of each request, first byte to answer; NaN for a request that failed. */
  seconds: number[];
  /** Statuses other than 200, with the start of their body. */
  failures: string[];
  peakRss: number;
  cpu: CpuUse;
}

export interface StreamsResult {
  streams: number;
  streamBytes: number;
  runs: StreamsRun[];
}

/** Runs of this suite: each moves streams x streamMiB through the API and radosgw's memory. */
const MAX_RUNS = 3;

export async function benchStreams(
  stack: BenchStack,
  api: Api,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<StreamsResult> {
  const streamBytes = config.streamMiB * MiB;
  const file = join(config.workDir, `stream-${config.streamMiB}MiB.bin`);
  ensureTestFile(file, streamBytes);
  const result: StreamsResult = { streams: config.streams, streamBytes, runs: [] };
  for (let run = 0; run < Math.min(config.runs, MAX_RUNS); run++) {
    const ids: string[] = [];
    while (ids.length < config.streams) {
      const files = videoFiles(Math.min(FILES_PER_INIT, config.streams - ids.length), streamBytes);
      for (const session of await initBatch(api.url, stack.auth, files)) {
        if (session.totalChunks !== 1)
          throw new Error(`a ${config.streamMiB} MiB file got ${session.totalChunks} chunks`);
        ids.push(session.uploadId);
      }
    }
    const agent = keepAliveAgent(config.streams);
    const headers = { ...stack.auth, 'content-type': 'application/octet-stream' };
    const rss = sampleRss(api.child.pid);
    const meter = meterCpu({ api: api.child.pid, ...stack.storagePids() });
    const failures: string[] = [];
    const seconds = await inPool(ids.length, ids.length, async (i) => {
      const start = performance.now();
      const res = await send(
        `${api.url}${BATCH_PATH}/chunk/${ids[i]}/0`,
        'POST',
        headers,
        {
          file,
          start: 0,
          length: streamBytes,
        },
        agent,
      ).catch((error: Error) => ({ status: 0, body: error.message }));
      if (res.status === 200) return (performance.now() - start) / 1000;
      failures.push(`${res.status}: ${res.body.slice(0, 200)}`);
      return Number.NaN;
    });
    const cpu = meter.stop();
    const peakRss = rss.stop().peak;
    agent.destroy();
    result.runs.push({ seconds, failures, peakRss, cpu });
    const ok = seconds.filter(Number.isFinite);
    log(
      `streams run ${run + 1}: ${ok.length}/${ids.length} succeeded, median ${median(ok).toFixed(1)} s, slowest ${Math.max(...ok).toFixed(1)} s, API peak RSS ${(peakRss / MiB).toFixed(0)} MiB`,
    );
    await stack.emptyBucket();
  }
  return result;
}
