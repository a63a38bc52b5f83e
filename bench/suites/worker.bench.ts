/**
 * Measure 6: what the worker reads from storage per video. A test video of `hashMiB` (1 GiB by default) made
 * by ffmpeg is stored in the bench bucket; then
 *   - the worker's own probe and thumbnail steps read it through a presigned GET URL that points at a
 *     counting proxy in front of radosgw: the bytes storage sent for them, against the video's size;
 *   - the worker's sha256 pass (apps/worker/src/media/sha256.ts over ObjectStorage.readRange) against a plain
 *     GET of the same object through the same library, read and dropped: MiB/s of each, in alternating order.
 *     The log adds the CPU each pass took, of this process and of storage, beside SHA-256's own rate over
 *     memory: on a machine whose cores storage shares, the pass is bounded by their sum, not by the network.
 */
import { createReadStream, existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createS3Client, S3ObjectStorage } from '#storage';
import { probe } from '../../apps/worker/src/media/ffprobe.js';
import { inspectProbe, thumbnailTime } from '../../apps/worker/src/media/probe-report.js';
import { sha256Of } from '../../apps/worker/src/media/sha256.js';
import { makeThumbnail } from '../../apps/worker/src/media/thumbnail.js';
import type { BenchConfig } from '../bench.config.js';
import { CountingProxy, makeTestVideo, servedBytes, sha256InMemory } from '../support/media.js';
import { type CpuUse, meterCpu } from '../support/processes.js';
import type { BenchStack } from '../support/stack.js';
import { MiB, rotate } from '../support/stats.js';

export interface WorkerResult {
  videoBytes: number;
  probeBytes: number;
  thumbnailBytes: number;
  /** Seconds of each run of a plain GET of the whole object, and of the worker's sha256 pass over it. */
  getSeconds: number[];
  hashSeconds: number[];
  /** CPU of each run of each pass: `reader` (this process, which reads and hashes), `radosgw`, `osd`. */
  getCpu: CpuUse[];
  hashCpu: CpuUse[];
  /** MiB/s of SHA-256 over memory on one core: the fastest the hash pass could go. */
  sha256MemoryMiBps: number;
}

export async function benchWorker(
  stack: BenchStack,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<WorkerResult> {
  const file = join(config.workDir, `video-${config.hashMiB}MiB.mp4`);
  if (!existsSync(file)) {
    const made = makeTestVideo(config.workDir, config.hashMiB);
    renameSync(made, file);
  }
  const size = statSync(file).size;
  const proxy = new CountingProxy(new URL(stack.s3Env.S3_ENDPOINT));
  const connection = {
    region: stack.s3Env.S3_REGION,
    accessKeyId: stack.s3Env.S3_ACCESS_KEY_ID,
    secretAccessKey: stack.s3Env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  };
  const client = createS3Client({ ...connection, endpoint: stack.s3Env.S3_ENDPOINT });
  const signer = createS3Client({ ...connection, endpoint: await proxy.start() });
  // Presigned URLs name the proxy; the library's own calls go straight to radosgw.
  const storage = new S3ObjectStorage(client, { bucket: stack.bucket }, signer);
  const key = `videos/bench-worker/source`;
  try {
    await storage.putObject(key, createReadStream(file), size, 'video/mp4');
    const limits = { timeoutMs: 300_000 };
    const report = await probe(await storage.presignGet(key, 600), limits);
    const probeBytes = servedBytes(proxy.take());
    const { metadata, videoStreamIndex } = inspectProbe(report, size);
    await makeThumbnail(
      () => storage.presignGet(key, 600),
      { atSeconds: thumbnailTime(metadata.durationSeconds ?? 0), streamIndex: videoStreamIndex, maxWidth: 640 },
      limits,
    );
    const thumbnailBytes = servedBytes(proxy.take());
    log(
      `worker: probe ${probeBytes} + thumbnail ${thumbnailBytes} bytes of ${size} (${((100 * (probeBytes + thumbnailBytes)) / size).toFixed(2)} %)`,
    );
    const result: WorkerResult = {
      videoBytes: size,
      probeBytes,
      thumbnailBytes,
      getSeconds: [],
      hashSeconds: [],
      getCpu: [],
      hashCpu: [],
      sha256MemoryMiBps: sha256InMemory(),
    };
    const passes = {
      get: async () => pipeline(await storage.readRange(key, 0), dropAll()),
      hash: async () => {
        const { bytes } = await sha256Of(await storage.readRange(key, 0));
        if (bytes !== size) throw new Error(`sha256 read ${bytes} of ${size} bytes`);
      },
    };
    log(`worker: SHA-256 over memory on one core: ${result.sha256MemoryMiBps.toFixed(0)} MiB/s`);
    const gib = size / 1024 ** 3;
    for (let run = 0; run < config.runs; run++) {
      for (const pass of rotate(['get', 'hash'] as const, run)) {
        const meter = meterCpu({ reader: process.pid, ...stack.storagePids() });
        const start = performance.now();
        await passes[pass]();
        const seconds = (performance.now() - start) / 1000;
        const cpu = meter.stop();
        (pass === 'get' ? result.getSeconds : result.hashSeconds).push(seconds);
        (pass === 'get' ? result.getCpu : result.hashCpu).push(cpu);
        const perGiB = (name: string) => ((cpu.seconds[name] ?? Number.NaN) / gib).toFixed(2);
        log(
          `worker run ${run + 1} ${pass}: ${(size / MiB / seconds).toFixed(0)} MiB/s; CPU s/GiB: reader ${perGiB('reader')}, radosgw ${perGiB('radosgw')}, osd ${perGiB('osd')}; machine ${(100 * cpu.machineBusy).toFixed(0)} % busy`,
        );
      }
    }
    return result;
  } finally {
    await storage.delete(key).catch(() => undefined);
    await proxy.stop();
    client.destroy();
    signer.destroy();
  }
}

/** A sink that takes every byte and keeps none. */
function dropAll(): Writable {
  return new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
}
