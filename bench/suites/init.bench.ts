/**
 * Measure 3: latency of POST /batch/init for 5 files of 1,000 parts each (64 MiB parts: 62.5 GiB per
 * file; a 64 GiB file would have 1,024). Beside it, two parts of that work timed alone in the bench
 * process with the product's own storage library: signing the 5,000 part URLs, and the 5
 * CreateMultipartUpload calls to radosgw. Calls run one at a time: this is latency, not load.
 * Then a typical batch, 5 files of 1 GiB (16 parts of 64 MiB each), for the API's CPU per call.
 */
import { performance } from 'node:perf_hooks';
import { createS3Client, S3ObjectStorage } from '#storage';
import type { BenchConfig } from '../bench.config.js';
import { type InitFile, initBatch, timedInitBatch, videoFiles } from '../support/api-client.js';
import { summarizeProfile } from '../support/cpu-profile.js';
import { meterCpu } from '../support/processes.js';
import type { Api, BenchStack } from '../support/stack.js';
import { median, MiB } from '../support/stats.js';

/** What Chrome and Firefox send. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

export interface InitResult {
  files: number;
  parts: number;
  fileBytes: number;
  /** Milliseconds of every call, per run. */
  runs: number[][];
  /** Bytes of one answer. */
  answerBytes: number;
  /** The same calls from a client that sends `Accept-Encoding: gzip` as browsers do: ms of each, bytes on the wire. */
  gzip: { times: number[]; wireBytes: number };
  /** CPU milliseconds the API used per call, per run: the rest of a call's time is waiting. */
  apiCpuMs: number[];
  /** Median ms to sign files x parts part URLs in-process (same SDK and options as the API). */
  presignMs: number;
  /** Median ms of `files` sequential CreateMultipartUpload calls. */
  createMultipartMs: number;
  /** The typical batch: its files and their size, ms of each call per run, API CPU ms per call per run. */
  typical: { files: number; fileBytes: number; parts: number; runs: number[][]; apiCpuMs: number[] };
}

/** A typical batch: the seed's 5 files, of 1 GiB each. */
const TYPICAL_FILE_BYTES = 1024 * MiB;

export async function benchInit(
  stack: BenchStack,
  api: Api,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<InitResult> {
  const fileBytes = config.initParts * config.chunkMiB * MiB;
  const files = videoFiles(config.initFiles, fileBytes);
  const result: InitResult = {
    files: config.initFiles,
    parts: config.initParts,
    fileBytes,
    runs: [],
    answerBytes: 0,
    gzip: { times: [], wireBytes: 0 },
    apiCpuMs: [],
    presignMs: 0,
    createMultipartMs: 0,
    typical: { files: config.initFiles, fileBytes: TYPICAL_FILE_BYTES, parts: 0, runs: [], apiCpuMs: [] },
  };
  for (let i = 0; i < 3; i++) await initBatch(api.url, stack.auth, files); // warm-up
  const answer = await initBatch(api.url, stack.auth, files);
  result.answerBytes = Buffer.byteLength(JSON.stringify({ success: true, data: answer }));
  for (const s of answer)
    if (s.totalChunks !== config.initParts || s.presignedUrls.length !== config.initParts)
      throw new Error(`init planned ${s.totalChunks} parts, not ${config.initParts}`);
  await stack.emptyBucket();

  for (let run = 0; run < config.runs; run++) {
    const times: number[] = [];
    const meter = meterCpu({ api: api.child.pid });
    for (let call = 0; call < config.initCalls; call++) {
      times.push((await timedInitBatch(api.url, stack.auth, files)).ms);
    }
    const cpuMs = (1000 * meter.stop().seconds.api) / config.initCalls;
    result.runs.push(times);
    result.apiCpuMs.push(cpuMs);
    log(
      `init run ${run + 1}/${config.runs}: p50 ${median(times).toFixed(1)} ms over ${times.length} calls, API CPU ${cpuMs.toFixed(0)} ms per call`,
    );
    await stack.emptyBucket();
  }
  for (let call = 0; call < config.initCalls; call++) {
    const { ms, wireBytes } = await timedInitBatch(api.url, stack.auth, files, {
      'accept-encoding': BROWSER_ACCEPT_ENCODING,
    });
    result.gzip.times.push(ms);
    result.gzip.wireBytes = wireBytes;
  }
  log(
    `init with accept-encoding: p50 ${median(result.gzip.times).toFixed(1)} ms, ${result.gzip.wireBytes} bytes on the wire`,
  );
  await stack.emptyBucket();
  const typicalFiles = videoFiles(config.initFiles, TYPICAL_FILE_BYTES);
  result.typical.parts = (await initBatch(api.url, stack.auth, typicalFiles))[0].totalChunks;
  for (let run = 0; run < config.runs; run++) {
    const times: number[] = [];
    const meter = meterCpu({ api: api.child.pid });
    // 5x the calls: a call costs a few ms of CPU, and /proc counts CPU in 10 ms ticks.
    for (let call = 0; call < 5 * config.initCalls; call++)
      times.push((await timedInitBatch(api.url, stack.auth, typicalFiles)).ms);
    const cpuMs = (1000 * meter.stop().seconds.api) / (5 * config.initCalls);
    result.typical.runs.push(times);
    result.typical.apiCpuMs.push(cpuMs);
    log(
      `init of ${config.initFiles} x 1 GiB run ${run + 1}/${config.runs}: p50 ${median(times).toFixed(1)} ms, API CPU ${cpuMs.toFixed(2)} ms per call`,
    );
    await stack.emptyBucket();
  }
  Object.assign(result, await breakdown(stack, config));
  log(
    `init parts: signing ${config.initFiles * config.initParts} URLs ${result.presignMs.toFixed(1)} ms, ${config.initFiles} CreateMultipartUpload ${result.createMultipartMs.toFixed(1)} ms`,
  );
  return result;
}

/**
 * A few init calls with the profiler running: the 5 x 1,000-part batch, whose profile the report summarizes,
 * and before it the typical batch in a profile of its own, whose path and busiest areas are logged (the
 * report keeps one profile per suite).
 */
export async function profileInit(stack: BenchStack, api: Api, config: BenchConfig): Promise<string> {
  const typical = await profileCalls(stack, api, videoFiles(config.initFiles, TYPICAL_FILE_BYTES), 50);
  const { busyMs, byArea } = summarizeProfile(typical, 5);
  const areas = byArea.map((row) => `${row.name} ${row.percent.toFixed(0)} %`).join(', ');
  console.log(
    `bench: profiled init of ${config.initFiles} x 1 GiB: ${typical}: ${busyMs.toFixed(0)} ms busy; ${areas}`,
  );
  return profileCalls(stack, api, videoFiles(config.initFiles, config.initParts * config.chunkMiB * MiB), 10);
}

async function profileCalls(stack: BenchStack, api: Api, files: InitFile[], calls: number): Promise<string> {
  for (let i = 0; i < 3; i++) await initBatch(api.url, stack.auth, files);
  await api.profiler!.start();
  for (let i = 0; i < calls; i++) await initBatch(api.url, stack.auth, files);
  const profile = await api.profiler!.stop();
  await stack.emptyBucket();
  return profile;
}

/** Signing and CreateMultipartUpload alone, with the library and client options the API uses. */
async function breakdown(
  stack: BenchStack,
  config: BenchConfig,
): Promise<Pick<InitResult, 'presignMs' | 'createMultipartMs'>> {
  const client = createS3Client({
    endpoint: stack.s3Env.S3_ENDPOINT,
    region: stack.s3Env.S3_REGION,
    accessKeyId: stack.s3Env.S3_ACCESS_KEY_ID,
    secretAccessKey: stack.s3Env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  });
  const storage = new S3ObjectStorage(client, { bucket: stack.bucket });
  const contentLength = config.chunkMiB * MiB;
  const sign: number[] = [];
  const create: number[] = [];
  // Round -1 warms up the code; it is not counted.
  for (let run = -1; run < Math.max(3, config.runs); run++) {
    let start = performance.now();
    const uploads: Array<[string, string]> = [];
    for (let f = 0; f < config.initFiles; f++) {
      const key = `videos/bench-breakdown-${run}-${f}/source`;
      uploads.push([key, await storage.createMultipart(key, 'video/mp4')]);
    }
    if (run >= 0) create.push(performance.now() - start);
    start = performance.now();
    const parts = Array.from({ length: config.initParts }, (_, i) => ({ partNumber: i + 1, contentLength }));
    await Promise.all(uploads.map(([key, id]) => storage.presignParts(key, id, parts, 3600)));
    if (run >= 0) sign.push(performance.now() - start);
    await Promise.all(uploads.map(([key, id]) => storage.abortMultipart(key, id)));
  }
  client.destroy();
  return { presignMs: median(sign), createMultipartMs: median(create) };
}
