/**
 * A Redis server of the test's own, on a free port, in memory only (no RDB, no AOF), so that a test
 * can lose every key (FLUSHALL) without touching the Redis other test files share on 6379.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { stopChild } from '../../scripts/child-process.js';
import { freePort } from './stack.js';

export class PrivateRedis {
  private child?: ChildProcess;
  private dir?: string;
  private port = 0;
  /** How many times the test made it lose every key. */
  flushes = 0;

  /** With a password, the server requires it (requirepass) and `url` carries it. */
  constructor(private readonly password?: string) {}

  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  /** Starts redis-server; again on the same port after kill(). */
  async start(): Promise<string> {
    this.port ||= await freePort();
    this.dir ??= mkdtempSync(join(tmpdir(), 'reelay-redis-'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (this.password) args.push('--requirepass', this.password);
    this.child = spawn('redis-server', [...args, '--dir', this.dir], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`redis-server exited with ${this.child.exitCode}`);
      if (await this.ping()) return this.url;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not answer`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Every key of every database is gone: the Redis loss a deployment without persistence suffers. */
  async flushAll(): Promise<void> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      await client.flushall();
      this.flushes++;
    } finally {
      client.disconnect();
    }
  }

  /** Redis goes away (the process ends); start() brings it back on the same port, empty. */
  async kill(): Promise<void> {
    if (this.child) await stopChild(this.child, 5_000);
    this.child = undefined;
  }

  async stop(): Promise<void> {
    if (this.child) await stopChild(this.child, 5_000);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async ping(): Promise<boolean> {
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }
}
