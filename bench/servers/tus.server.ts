/**
 * The peer: a plain tus server (@tus/server with @tus/s3-store) on the same radosgw and bucket as the
 * API, with Storj's 64 MiB parts like the API. Everything else is tus's default: the store cuts the
 * incoming PATCH into part files in the temp folder and uploads each part from there.
 *   BENCH_PORT=<port> S3_ENDPOINT=... S3_BUCKET=... node dist/bench/servers/tus.server.js
 */
import { createServer } from 'node:http';
import { S3Store } from '@tus/s3-store';
import { Server } from '@tus/server';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const partSize = Number(process.env.BENCH_TUS_PART_BYTES ?? 64 * 1024 * 1024);
const store = new S3Store({
  partSize,
  minPartSize: partSize,
  s3ClientConfig: {
    bucket: env('S3_BUCKET'),
    endpoint: env('S3_ENDPOINT'),
    region: process.env.S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: env('S3_ACCESS_KEY_ID'), secretAccessKey: env('S3_SECRET_ACCESS_KEY') },
    // As the API's client: no CRC32 on every part (radosgw and Storj do not need them).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  },
});
const tus = new Server({ path: '/files', datastore: store });
const server = createServer((req, res) => void tus.handle(req, res));
server.requestTimeout = 0;
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  console.log(`tus listening ${JSON.stringify(server.address())}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
