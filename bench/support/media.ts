/**
 * Media for the worker's benchmarks: a test video made by ffmpeg, a proxy that counts what storage sends,
 * and SHA-256's own rate over memory, which bounds the sha256 pass.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';

const MiB = 1024 * 1024;

export interface Served {
  method: string;
  range: string;
  status: number;
  bytes: number;
}

/** Forwards to storage untouched (Host included, so signatures hold) and counts the bytes it gets back. */
export class CountingProxy {
  readonly served: Served[] = [];
  private server?: Server;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const entry: Served = { method: req.method ?? '?', range: String(req.headers.range ?? '-'), status: 0, bytes: 0 };
      this.served.push(entry);
      const upstream = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          entry.status = up.statusCode ?? 0;
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.on('data', (chunk: Buffer) => (entry.bytes += chunk.length));
          up.pipe(res);
          // ffmpeg closes a connection when it seeks away: stop reading from storage at once.
          res.on('close', () => up.destroy());
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  take(): Served[] {
    return this.served.splice(0);
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

/**
 * A test video of about `targetMiB` MiB in `dir` (1080p30 H.264 at about 31 Mbit/s, a key frame every
 * 8.3 s, AAC sound): 20 s are encoded by ffmpeg, then looped without re-encoding to the wanted size; with
 * `faststart`, its index (moov) comes first, as web-optimized MP4s have it.
 */
export function makeTestVideo(dir: string, targetMiB: number, faststart = false): string {
  const segment = join(dir, 'segment.mp4');
  const out = join(dir, 'video.mp4');
  const ffmpeg = (...a: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...a], { stdio: 'inherit' });
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=30',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '20',
    '-vf',
    'noise=alls=30:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    '30M',
    '-maxrate',
    '30M',
    '-bufsize',
    '60M',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-ac',
    '2',
    segment,
  );
  const seconds = (20 * targetMiB * MiB) / statSync(segment).size;
  ffmpeg(
    '-stream_loop',
    '-1',
    '-i',
    segment,
    '-t',
    seconds.toFixed(2),
    '-c',
    'copy',
    ...(faststart ? ['-movflags', '+faststart'] : []),
    out,
  );
  return out;
}

export const servedBytes = (served: Served[]) => served.reduce((n, s) => n + s.bytes, 0);

/** MiB/s of SHA-256 over an in-memory buffer on this thread: the fastest the hash pass could be on one core. */
export function sha256InMemory(mebibytes = 256): number {
  const block = Buffer.alloc(MiB, 7);
  const hash = createHash('sha256');
  const start = performance.now();
  for (let i = 0; i < mebibytes; i++) hash.update(block);
  hash.digest();
  return mebibytes / ((performance.now() - start) / 1000);
}
