/**
 * Media for the worker's benchmarks: a test video made by ffmpeg, a proxy that counts what storage sends,
 * and the CPU figures that bound the sha256 pass on a machine whose cores storage shares.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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

/** CPU seconds so far: this process (all its threads), the storage daemons, and the machine (idle of total). */
export interface CpuSnapshot {
  own: number;
  storage: number;
  idle: number;
  total: number;
}

/** Process names of the daemons scripts/s3-server.sh runs on this machine. */
const STORAGE_DAEMONS = new Set(['radosgw', 'ceph-osd']);
/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux everywhere it matters). */
const TICKS = 100;

/** Reads /proc (Linux); where there is none, storage and machine read 0. */
export function cpuSnapshot(): CpuSnapshot {
  const own = process.cpuUsage();
  const snapshot = { own: (own.user + own.system) / 1e6, storage: 0, idle: 0, total: 0 };
  try {
    const machine = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    snapshot.idle = (machine[3] + machine[4]) / TICKS;
    snapshot.total = machine.reduce((a, b) => a + b, 0) / TICKS;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) snapshot.storage += daemonSeconds(pid);
  } catch {
    // No /proc: this process's figure only.
  }
  return snapshot;
}

/** User + system seconds of a storage daemon; 0 for any other process, or one that just ended. */
function daemonSeconds(pid: string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    if (!STORAGE_DAEMONS.has(name)) return 0;
    // After "(name) ", field 3 (state) is index 0: utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** `CPU s/GiB: node 1.41, storage 1.30; machine idle 3 %` for `bytes` read between two snapshots. */
export function describeCpu(before: CpuSnapshot, after: CpuSnapshot, bytes: number): string {
  const perGiB = (seconds: number) => (seconds / (bytes / 1024 ** 3)).toFixed(2);
  const machine = after.total - before.total;
  const idle = machine > 0 ? ` machine idle ${((100 * (after.idle - before.idle)) / machine).toFixed(0)} %` : '';
  return `CPU s/GiB: node ${perGiB(after.own - before.own)}, storage ${perGiB(after.storage - before.storage)};${idle}`;
}

/** MiB/s of SHA-256 over an in-memory buffer on this thread: the fastest the hash pass could be on one core. */
export function sha256InMemory(mebibytes = 256): number {
  const block = Buffer.alloc(MiB, 7);
  const hash = createHash('sha256');
  const start = performance.now();
  for (let i = 0; i < mebibytes; i++) hash.update(block);
  hash.digest();
  return mebibytes / ((performance.now() - start) / 1000);
}
