/**
 * Measure 5: the Node SDK (packages/sdk, `createReelay` + `fileFromPath` + `uploadBatch`) sending a batch of
 * files (5 x 256 MiB) through presigned part PUTs, against a raw client doing the same with nothing around
 * it: init through the API, every part URL PUT with node:http streaming from the file, each file completed
 * once its parts are stored. Both keep the same limits (chunks in flight over the batch and per file) and are
 * timed from init to the last complete. The SDK runs in this process, so its CPU is this process's
 * (process.cpuUsage around each upload), as is the raw client's.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createReelay, fileFromPath } from '../../packages/sdk/src/node.js';
import type { BenchConfig } from '../bench.config.js';
import { BENCH_CHANNEL, type Api, type BenchStack } from '../support/stack.js';
import { completeUpload, initBatch, videoFiles } from '../support/api-client.js';
import { meterCpu } from '../support/processes.js';
import { MB, MiB, rotate } from '../support/stats.js';
import { ensureTestFile, inPool, keepAliveAgent, send, slices, slots } from '../support/upload-client.js';

export const SDK_SIDES = ['sdk', 'raw'] as const;
export type SdkSide = (typeof SDK_SIDES)[number];

export interface SdkResult {
  files: number;
  fileBytes: number;
  /** Part size of the API (UPLOAD_PART_SIZE, BENCH_CHUNK_MIB). */
  partBytes: number;
  concurrency: number;
  perFile: number;
  /** MB/s (10^6 bytes per second) of every run, per side. */
  mbps: Record<SdkSide, number[]>;
  /** CPU seconds (user + system) of the bench process during each run, per side. */
  cpuSeconds: Record<SdkSide, number[]>;
  /** Share of the machine busy during each run, 0-1. */
  machineBusy: Record<SdkSide, number[]>;
}

interface Batch {
  paths: string[];
  fileBytes: number;
  concurrency: number;
  perFile: number;
}

export async function benchSdk(
  stack: BenchStack,
  api: Api,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<SdkResult> {
  const fileBytes = config.sdkFileMiB * MiB;
  const paths = Array.from({ length: config.sdkFiles }, (_, i) =>
    join(config.workDir, `sdk-${i + 1}-${config.sdkFileMiB}MiB.bin`),
  );
  const batch: Batch = { paths, fileBytes, concurrency: config.sdkConcurrency, perFile: config.sdkPerFile };
  const result: SdkResult = {
    files: paths.length,
    fileBytes,
    partBytes: config.chunkMiB * MiB,
    concurrency: batch.concurrency,
    perFile: batch.perFile,
    mbps: { sdk: [], raw: [] },
    cpuSeconds: { sdk: [], raw: [] },
    machineBusy: { sdk: [], raw: [] },
  };
  const token = stack.auth.authorization?.replace(/^Bearer /, '') ?? '';
  try {
    for (const path of paths) ensureTestFile(path, fileBytes);
    // Warm-up, not measured: the first batch of each side runs cold code. Two files fill the batch's slots.
    const warmUp = { ...batch, paths: paths.slice(0, 2) };
    for (const side of SDK_SIDES) {
      await uploadOnce(side, api, stack.auth, token, warmUp);
      await stack.emptyBucket();
    }
    for (let run = 0; run < config.runs; run++) {
      for (const side of rotate([...SDK_SIDES], run)) {
        const { seconds, cpuSeconds, machineBusy } = await uploadOnce(side, api, stack.auth, token, batch);
        const mbps = (paths.length * fileBytes) / MB / seconds;
        result.mbps[side].push(mbps);
        result.cpuSeconds[side].push(cpuSeconds);
        result.machineBusy[side].push(machineBusy);
        const perGiB = cpuSeconds / ((paths.length * fileBytes) / 1024 ** 3);
        log(
          `sdk run ${run + 1}/${config.runs} ${side}: ${mbps.toFixed(1)} MB/s, client ${perGiB.toFixed(2)} CPU s/GiB, machine ${(100 * machineBusy).toFixed(0)} % busy`,
        );
        await stack.emptyBucket();
      }
    }
  } finally {
    for (const path of paths) rmSync(path, { force: true });
  }
  return result;
}

async function uploadOnce(
  side: SdkSide,
  api: Api,
  auth: Record<string, string>,
  token: string,
  batch: Batch,
): Promise<{ seconds: number; cpuSeconds: number; machineBusy: number }> {
  const machine = meterCpu({});
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (side === 'sdk') await sdkUpload(api.url, token, batch);
  else await rawUpload(api.url, auth, batch);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6, machineBusy: machine.stop().machineBusy };
}

/** The SDK as its README shows it, with a progress callback as an application would pass. */
async function sdkUpload(apiUrl: string, token: string, batch: Batch): Promise<void> {
  const reelay = createReelay({ apiUrl, token });
  let percent = 0;
  const result = await reelay.uploadBatch(await Promise.all(batch.paths.map((p) => fileFromPath(p, 'video/mp4'))), {
    channelId: BENCH_CHANNEL,
    concurrency: batch.concurrency,
    perFileConcurrency: batch.perFile,
    onProgress: (p) => (percent = p.percent),
  });
  if (!result.ok || percent !== 100)
    throw new Error(`SDK: ${result.files.map((f) => `${f.name} ${f.status} ${f.error?.message ?? ''}`).join('; ')}`);
}

/**
 * The raw client: per file a pool of `perFile` PUTs, each holding one of the batch's `concurrency` slots
 * while it sends (the SDK's two limits); a file is completed as soon as its parts are stored.
 */
async function rawUpload(apiUrl: string, auth: Record<string, string>, batch: Batch): Promise<void> {
  const sessions = await initBatch(apiUrl, auth, videoFiles(batch.paths.length, batch.fileBytes));
  const agent = keepAliveAgent(batch.concurrency);
  const batchSlots = slots(batch.concurrency);
  try {
    await Promise.all(
      sessions.map(async (session, f) => {
        const parts = slices(batch.paths[f], batch.fileBytes, session.chunkSize);
        if (session.presignedUrls.length !== parts.length)
          throw new Error(`init gave ${session.presignedUrls.length} URLs for ${parts.length} parts`);
        await inPool(parts.length, batch.perFile, async (i) => {
          await batchSlots.take();
          try {
            const res = await send(session.presignedUrls[i], 'PUT', {}, parts[i], agent);
            if (res.status !== 200) throw new Error(`part PUT answered ${res.status}: ${res.body.slice(0, 300)}`);
          } finally {
            batchSlots.give();
          }
        });
        await completeUpload(apiUrl, auth, session.uploadId);
      }),
    );
  } finally {
    agent.destroy();
  }
}
