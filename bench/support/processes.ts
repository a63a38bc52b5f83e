/**
 * Child processes of the bench (the API, the tus peer, the bare progress handler, the sink) and their
 * memory. Every server runs in its own process so that it gets its own event loop, as the API does,
 * and the client in the bench process is never slowed down by the server it measures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from 'undici';
import { stopChild } from '../../scripts/child-process.js';
import { sleep } from './stats.js';

export interface Child {
  name: string;
  process: ChildProcess;
  pid: number;
  logs(): string;
  /** Resolves with the first stdout/stderr line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

/** With `ipc`, the child gets a message channel (process.send), used by the in-process profiler. */
export function startChild(
  name: string,
  script: string,
  env: Record<string, string>,
  options: { nodeArgs?: string[]; ipc?: boolean } = {},
): Child {
  const stdio = options.ipc ? (['ignore', 'pipe', 'pipe', 'ipc'] as const) : (['ignore', 'pipe', 'pipe'] as const);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { ...process.env, ...env },
    stdio: [...stdio],
  });
  let output = '';
  const watchers = new Set<() => void>();
  const take = (d: Buffer) => {
    output += d.toString();
    // Keep the tail only: a chatty child must not grow the bench's memory.
    if (output.length > 200_000) output = output.slice(-100_000);
    for (const watcher of watchers) watcher();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  const pid = child.pid;

  return {
    name,
    process: child,
    pid,
    logs: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off('exit', exited);
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            done();
            resolve(match);
          }
        };
        const exited = (code: number | null) => {
          done();
          reject(new Error(`${name} exited (${code}) before printing ${pattern}:\n${output.slice(-4000)}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${output.slice(-4000)}`));
        }, timeoutMs);
        watchers.add(check);
        child.once('exit', exited);
        check();
      });
    },
    stop: () => stopChild(child),
  };
}

/** Polls `url` until it answers 2xx; fails early when the child exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null)
      throw new Error(`${child.name} exited with ${child.process.exitCode}:\n${child.logs().slice(-4000)}`);
    try {
      const res = await request(url, { headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode < 300) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer ${url} within ${timeoutMs} ms:\n${child.logs().slice(-4000)}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Resident memory of a process in bytes, from /proc (VmRSS: now; VmHWM: peak since it started). */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kib('VmRSS'), hwm: kib('VmHWM') };
}

/** Samples VmRSS of `pid` every `everyMs` until stopped; answers the highest sample. */
export function sampleRss(pid: number, everyMs = 50): { stop(): { peak: number; samples: number } } {
  let peak = 0;
  let samples = 0;
  const take = () => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss);
      samples++;
    } catch {
      // the process is gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peak, samples };
    },
  };
}

/** Linux's USER_HZ: /proc reports CPU time in these ticks (getconf CLK_TCK; 100 on every Linux build). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** Busy and total CPU ticks of the whole machine (all cores), from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  const idle = n[3] + (n[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export interface CpuUse {
  /** CPU seconds per named process over the interval. */
  seconds: Record<string, number>;
  /** Share of the machine's CPU time (all cores) that was busy, 0-1, whoever used it. */
  machineBusy: number;
}

/** Measures the CPU time of named processes, and how busy the machine was, between start and stop. */
export function meterCpu(pids: Record<string, number>): { stop(): CpuUse } {
  const read = () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, safeCpu(pid)]));
  const before = read();
  const ticks = machineTicks();
  return {
    stop() {
      const after = read();
      const now = machineTicks();
      const seconds = Object.fromEntries(Object.keys(pids).map((name) => [name, after[name] - before[name]]));
      return { seconds, machineBusy: (now.busy - ticks.busy) / Math.max(1, now.total - ticks.total) };
    },
  };
}

function safeCpu(pid: number): number {
  try {
    return cpuSecondsOf(pid);
  } catch {
    return Number.NaN;
  }
}
