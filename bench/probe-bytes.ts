/**
 * How much of a video the worker reads from storage to probe it and make its thumbnail (issue 3,
 * test 5; goal: under 5 % of a 1 GiB video). Runs the worker's own ffprobe and ffmpeg steps over a
 * presigned GET URL that points at a counting HTTP proxy in front of the real S3 server (radosgw), and
 * sums the response bytes the proxy received from storage. The sha256 step is not counted: it reads
 * the whole object by design (the issue allows it to stream the object).
 *
 *   npm run build && npx swc bench -d dist --config-file .swcrc --only "**\/*.ts" --quiet
 *   node dist/bench/probe-bytes.js [--mib 1024] [--faststart]
 *
 * Uses the S3 server of S3_ENDPOINT / S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY, or starts
 * scripts/s3-server.sh. The test video (1080p30 H.264 at about 31 Mbit/s, a key frame every 8.3 s,
 * AAC sound) is made by ffmpeg: 20 s are encoded, then looped without re-encoding to the wanted size.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client, ensureBucket, S3ObjectStorage } from '#storage';
import { probe } from '../apps/worker/src/media/ffprobe.js';
import { inspectProbe, thumbnailTime } from '../apps/worker/src/media/probe-report.js';
import { sha256Of } from '../apps/worker/src/media/sha256.js';
import { makeThumbnail } from '../apps/worker/src/media/thumbnail.js';
import { CountingProxy, makeTestVideo, servedBytes } from './support/media.js';

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const targetMiB = Number(args[args.indexOf('--mib') + 1] ?? 1024) || 1024;
const faststart = args.includes('--faststart');

function s3Settings(): Record<string, string> {
  if (!process.env.S3_ENDPOINT) {
    const out = execFileSync('bash', ['scripts/s3-server.sh', 'up'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    for (const line of out.split('\n')) {
      const m = /^(S3_\w+)=(.*)$/.exec(line.trim());
      if (m) process.env[m[1]] = m[2];
    }
  }
  const { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY } = process.env;
  if (!S3_ENDPOINT || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY)
    throw new Error('no S3 server: set S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY');
  return {
    endpoint: S3_ENDPOINT,
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    region: process.env.S3_REGION ?? 'us-east-1',
  };
}

const sum = servedBytes;
const pct = (bytes: number, size: number) => `${((100 * bytes) / size).toFixed(2)} %`;

async function main(): Promise<void> {
  const s3 = s3Settings();
  const dir = mkdtempSync(join(tmpdir(), 'reelay-bench-'));
  const proxy = new CountingProxy(new URL(s3.endpoint));
  const connection = {
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    forcePathStyle: true,
  };
  const client = createS3Client({ ...connection, endpoint: s3.endpoint });
  const bucket = 'reelay-bench';
  const key = `videos/bench-${Date.now()}/source`;
  // Presigned URLs name the proxy; the storage calls of the bench itself go straight to the server.
  const storage = new S3ObjectStorage(
    client,
    { bucket },
    createS3Client({ ...connection, endpoint: await proxy.start() }),
  );
  try {
    const file = makeTestVideo(dir, targetMiB, faststart);
    const size = statSync(file).size;
    await ensureBucket(client, bucket);
    await storage.putObject(key, createReadStream(file), size, 'video/mp4');

    const limits = { timeoutMs: 300_000 };
    const t0 = Date.now();
    const report = await probe(await storage.presignGet(key, 600), limits);
    const probed = proxy.take();
    const { metadata, videoStreamIndex } = inspectProbe(report, size);
    const at = thumbnailTime(metadata.durationSeconds ?? 0);
    const thumbnail = await makeThumbnail(
      () => storage.presignGet(key, 600),
      { atSeconds: at, streamIndex: videoStreamIndex, maxWidth: 640 },
      limits,
    );
    const thumbnailed = proxy.take();
    const took = Date.now() - t0;

    const total = sum(probed) + sum(thumbnailed);
    console.log(
      `video: ${(size / MiB).toFixed(0)} MiB, ${metadata.durationSeconds?.toFixed(1)} s, ${metadata.width}x${metadata.height} ${metadata.videoCodec}, ${((metadata.bitrate ?? 0) / 1e6).toFixed(1)} Mbit/s, moov ${faststart ? 'first (faststart)' : 'at the end'}`,
    );
    for (const [step, served] of [
      ['probe', probed],
      ['thumbnail', thumbnailed],
    ] as const) {
      console.log(`${step}: ${served.length} requests, ${sum(served)} bytes (${pct(sum(served), size)})`);
      for (const s of served) console.log(`  ${s.method} ${s.range} -> ${s.status}: ${s.bytes} bytes`);
    }
    console.log(
      `thumbnail asked at ${at.toFixed(1)} s, taken at ${thumbnail?.atSeconds.toFixed(1)} s: ${thumbnail?.jpeg.length ?? 0} bytes of JPEG; probe + thumbnail took ${took} ms`,
    );
    console.log(`RESULT bytes read to probe and thumbnail: ${total} of ${size} = ${pct(total, size)}`);
    // Not part of the figure: the sha256 step streams the whole object, which bounds a worker's throughput.
    const t1 = Date.now();
    await sha256Of(await storage.readRange(key, 0));
    const seconds = (Date.now() - t1) / 1000;
    console.log(
      `sha256 of the whole object (not counted above): ${seconds.toFixed(1)} s, ${(size / MiB / seconds).toFixed(0)} MiB/s`,
    );
  } finally {
    await storage.delete(key).catch(() => undefined);
    await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
