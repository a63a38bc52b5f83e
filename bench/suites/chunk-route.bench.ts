/**
 * Measure 1: throughput of POST /batch/chunk for one file (1 GiB, 64 MiB chunks, 4 in flight) against
 *   - sink:   the same requests to a server that discards the body (the client's own ceiling);
 *   - direct: the same bytes PUT straight to radosgw through the part URLs init hands out (the limit);
 *   - relay:  the same PUTs through a bare node:http relay (relay.server.ts): the floor of any server
 *             in the path, which receives every byte and sends it again on this machine's cores;
 *   - tus:    @tus/server + @tus/s3-store on the same radosgw: one PATCH with the whole file, since a
 *             tus upload takes its bytes in order (s3-store has no concatenation extension);
 *   - reelay-tus: the API's own tus endpoint (/api/v1/tus), one PATCH with the whole file, as tus-js-client
 *             sends it without a chunkSize.
 * The API's and the tus server's peak RSS are sampled from /proc during their runs.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { Agent } from 'node:http';
import { type BenchConfig, CHUNKED_MIN_MIB } from '../bench.config.js';
import { BATCH_PATH, initBatch, videoFiles } from '../support/api-client.js';
import { type Child, type CpuUse, freePort, memoryOf, meterCpu, sampleRss, startChild } from '../support/processes.js';
import { type Api, BENCH_CHANNEL, type BenchStack } from '../support/stack.js';
import { MB, MiB, rotate } from '../support/stats.js';
import { ensureTestFile, inPool, keepAliveAgent, send, type Slice, slices } from '../support/upload-client.js';

export const CHUNK_TARGETS = ['sink', 'direct', 'relay', 'api', 'tus', 'reelay-tus'] as const;
export type ChunkTarget = (typeof CHUNK_TARGETS)[number];

export interface ChunkRouteResult {
  fileBytes: number;
  chunkBytes: number;
  inFlight: number;
  /** MB/s (10^6 bytes per second) of every run, per target. */
  mbps: Record<ChunkTarget, number[]>;
  /** Peak VmRSS of the API during each of its runs, and before the first one. */
  apiPeakRss: number[];
  apiRestRss: number;
  tusPeakRss: number[];
  /** CPU seconds used during each run by the client, the server in the path and radosgw's daemons. */
  cpu: Record<ChunkTarget, CpuUse[]>;
}

interface Peers {
  sink: Child;
  sinkUrl: string;
  relay: Child;
  relayUrl: string;
  tus: Child;
  tusUrl: string;
}

export async function benchChunkRoute(
  stack: BenchStack,
  api: Api,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<ChunkRouteResult> {
  const file = testFile(config);
  const peers = await startPeers(stack);
  const result: ChunkRouteResult = {
    fileBytes: config.fileMiB * MiB,
    chunkBytes: config.chunkMiB * MiB,
    inFlight: config.inFlight,
    mbps: { sink: [], direct: [], relay: [], api: [], tus: [], 'reelay-tus': [] },
    apiPeakRss: [],
    apiRestRss: memoryOf(api.child.pid).rss,
    tusPeakRss: [],
    cpu: { sink: [], direct: [], relay: [], api: [], tus: [], 'reelay-tus': [] },
  };
  try {
    // Warm-up, not measured: a fresh API's first upload runs cold code (JIT) and is ~20 % slower. It fills
    // the chunks in flight once, and is large enough to be chunked.
    const warmUp = {
      ...config,
      fileMiB: Math.min(config.fileMiB, Math.max(config.chunkMiB * config.inFlight, CHUNKED_MIN_MIB)),
    };
    for (const target of CHUNK_TARGETS) {
      const agent = keepAliveAgent(config.inFlight);
      await uploadOnce(target, stack, api, peers, file, warmUp, agent);
      agent.destroy();
      if (target !== 'sink') await stack.emptyBucket();
    }
    for (let run = 0; run < config.runs; run++) {
      for (const target of rotate([...CHUNK_TARGETS], run)) {
        const agent = keepAliveAgent(config.inFlight);
        const { seconds, peakRss, cpu } = await uploadOnce(target, stack, api, peers, file, config, agent);
        agent.destroy();
        result.cpu[target].push(cpu);
        const mbps = result.fileBytes / MB / seconds;
        result.mbps[target].push(mbps);
        if (target === 'api') result.apiPeakRss.push(peakRss);
        if (target === 'tus') result.tusPeakRss.push(peakRss);
        const serverCpu =
          cpu.seconds.server === undefined
            ? ''
            : `, server ${(cpu.seconds.server / (result.fileBytes / 1024 ** 3)).toFixed(2)} CPU s/GiB`;
        const busy = `machine ${(100 * cpu.machineBusy).toFixed(0)} % busy${serverCpu}`;
        const rss = target === 'api' || target.endsWith('tus') ? `, peak RSS ${(peakRss / MiB).toFixed(0)} MiB` : '';
        log(`chunk run ${run + 1}/${config.runs} ${target}: ${mbps.toFixed(1)} MB/s, ${busy}${rss}`);
        if (target !== 'sink') await stack.emptyBucket();
      }
    }
  } finally {
    await Promise.all([peers.sink.stop(), peers.relay.stop(), peers.tus.stop()]);
  }
  return result;
}

/** One upload through the API's chunk route with the profiler running (for `auto`/`always` profiles). */
export async function profileChunkRoute(stack: BenchStack, api: Api, config: BenchConfig): Promise<string> {
  const file = testFile(config);
  const agent = keepAliveAgent(config.inFlight);
  const [session] = await initBatch(api.url, stack.auth, videoFiles(1, config.fileMiB * MiB));
  await api.profiler!.start();
  await chunkUploads(
    api.url,
    stack.auth,
    session.uploadId,
    slices(file, config.fileMiB * MiB, config.chunkMiB * MiB),
    config.inFlight,
    agent,
  );
  const profile = await api.profiler!.stop();
  agent.destroy();
  await stack.emptyBucket();
  return profile;
}

function testFile(config: BenchConfig): string {
  const file = join(config.workDir, `upload-${config.fileMiB}MiB.bin`);
  ensureTestFile(file, config.fileMiB * MiB);
  return file;
}

async function startPeers(stack: BenchStack): Promise<Peers> {
  const [sinkPort, relayPort, tusPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const sink = startChild('sink', 'dist/bench/servers/sink.server.js', { BENCH_PORT: String(sinkPort) });
  const relay = startChild('relay', 'dist/bench/servers/relay.server.js', { BENCH_PORT: String(relayPort) });
  const tus = startChild('tus', 'dist/bench/servers/tus.server.js', {
    BENCH_PORT: String(tusPort),
    ...stack.s3Env,
    S3_BUCKET: stack.bucket,
    BENCH_TUS_PART_BYTES: String(stack.config.chunkMiB * MiB),
  });
  await Promise.all([sink.waitFor(/sink listening/), relay.waitFor(/relay listening/), tus.waitFor(/tus listening/)]);
  return {
    sink,
    sinkUrl: `http://127.0.0.1:${sinkPort}`,
    relay,
    relayUrl: `http://127.0.0.1:${relayPort}`,
    tus,
    tusUrl: `http://127.0.0.1:${tusPort}`,
  };
}

interface Timed {
  seconds: number;
  peakRss: number;
  cpu: CpuUse;
}

async function uploadOnce(
  target: ChunkTarget,
  stack: BenchStack,
  api: Api,
  peers: Peers,
  file: string,
  config: BenchConfig,
  agent: Agent,
): Promise<Timed> {
  const size = config.fileMiB * MiB;
  const storage = stack.storagePids();
  const timed = (server: Child | null, work: () => Promise<unknown>) =>
    measure(server?.pid ?? null, { client: process.pid, ...(server ? { server: server.pid } : {}), ...storage }, work);
  const parts = slices(file, size, config.chunkMiB * MiB);
  const octet = { 'content-type': 'application/octet-stream' };
  switch (target) {
    case 'sink':
      return timed(peers.sink, () =>
        inPool(parts.length, config.inFlight, (i) =>
          expectStatus(send(`${peers.sinkUrl}/chunk/${i}`, 'POST', octet, parts[i], agent), 200),
        ),
      );
    case 'direct':
    case 'relay': {
      const [session] = await initBatch(api.url, stack.auth, videoFiles(1, size));
      if (session.presignedUrls.length !== parts.length)
        throw new Error(`init gave ${session.presignedUrls.length} URLs for ${parts.length} chunks`);
      const url = (i: number) =>
        target === 'direct'
          ? session.presignedUrls[i]
          : `${peers.relayUrl}/relay?to=${encodeURIComponent(session.presignedUrls[i])}`;
      return timed(target === 'relay' ? peers.relay : null, () =>
        inPool(parts.length, config.inFlight, (i) => expectStatus(send(url(i), 'PUT', {}, parts[i], agent), 200)),
      );
    }
    case 'api': {
      const [session] = await initBatch(api.url, stack.auth, videoFiles(1, size));
      return timed(api.child, () => chunkUploads(api.url, stack.auth, session.uploadId, parts, config.inFlight, agent));
    }
    case 'tus':
    case 'reelay-tus': {
      const own = target === 'reelay-tus';
      const base64 = (text: string) => Buffer.from(text).toString('base64');
      const created = await expectStatus(
        send(
          own ? `${api.url}/api/v1/tus` : `${peers.tusUrl}/files`,
          'POST',
          {
            ...(own ? stack.auth : {}),
            'tus-resumable': '1.0.0',
            'upload-length': size,
            'upload-metadata': `filename ${base64('bench.mp4')},channel_id ${base64(BENCH_CHANNEL)}`,
          },
          null,
          agent,
        ),
        201,
      );
      const location = new URL(String(created.headers.location), own ? api.url : peers.tusUrl).toString();
      const headers = {
        ...(own ? stack.auth : {}),
        'tus-resumable': '1.0.0',
        'upload-offset': 0,
        'content-type': 'application/offset+octet-stream',
      };
      return timed(own ? api.child : peers.tus, async () => {
        const done = await expectStatus(send(location, 'PATCH', headers, { file, start: 0, length: size }, agent), 204);
        if (Number(done.headers['upload-offset']) !== size)
          throw new Error(`tus took ${String(done.headers['upload-offset'])} of ${size} bytes`);
      });
    }
  }
}

function chunkUploads(
  apiUrl: string,
  auth: Record<string, string>,
  uploadId: string,
  parts: Slice[],
  inFlight: number,
  agent: Agent,
) {
  const headers = { ...auth, 'content-type': 'application/octet-stream' };
  return inPool(parts.length, inFlight, (i) =>
    expectStatus(send(`${apiUrl}${BATCH_PATH}/chunk/${uploadId}/${i}`, 'POST', headers, parts[i], agent), 200),
  );
}

/** Times `work`, sampling the RSS of `rssPid` and metering the CPU of `pids` meanwhile. */
async function measure(
  rssPid: number | null,
  pids: Record<string, number>,
  work: () => Promise<unknown>,
): Promise<Timed> {
  const sampler = rssPid === null ? null : sampleRss(rssPid);
  try {
    const meter = meterCpu(pids);
    const start = performance.now();
    await work();
    const seconds = (performance.now() - start) / 1000;
    return { seconds, cpu: meter.stop(), peakRss: sampler?.stop().peak ?? 0 };
  } finally {
    sampler?.stop();
  }
}

async function expectStatus<T extends { status: number; body: string }>(sent: Promise<T>, status: number): Promise<T> {
  const res = await sent;
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.body.slice(0, 300)}`);
  return res;
}
