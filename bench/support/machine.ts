/** What the report says about the machine: benchmark numbers mean nothing without it. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpu: string;
  memoryGiB: number;
  kernel: string;
  node: string;
  redis: string;
  postgres: string;
  radosgw: string;
  load: string;
  /** Commit measured, and whether the work tree differed from it. */
  code: string;
}

export function describeMachine(redisInfo: string): Machine {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    kernel: release(),
    node: process.version,
    redis: /^redis_version:(\S+)/m.exec(redisInfo)?.[1] ?? 'unknown',
    postgres: version('psql', ['--version']),
    radosgw: version('radosgw', ['--version']).replace(/\(.*$/, '').trim(),
    load: loadAverage(),
    code: codeVersion(),
  };
}

function codeVersion(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    // The report of the previous run is not a change to the code measured.
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)BENCHMARKS.md'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    ).trim();
    return dirty ? `${commit} with uncommitted changes` : commit;
  } catch {
    return 'unknown (not a git work tree)';
  }
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0];
  } catch {
    return 'unknown';
  }
}

/** 1-minute load average: tells a reader whether something else was running. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}
