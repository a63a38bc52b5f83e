/**
 * Readiness: whether this process can do its work now, that is whether PostgreSQL, Redis and storage
 * each answer within a short time. Orchestrators stop sending traffic to an API (or restart a worker)
 * that is not ready, and send it again once it is; liveness (the process answers at all) is separate.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { PROGRESS_REDIS } from '#progress';
import { ObjectStorage } from '#storage';

/** How long each dependency may take to answer (milliseconds) before it counts as down. */
export const READINESS_TIMEOUT_MS = 2_000;

/** A key nobody writes: a HEAD of it answers "not found" from a storage that works. */
const STORAGE_PROBE_KEY = 'health/readiness-probe';

export interface DependencyCheck {
  ok: boolean;
  /** Milliseconds the check took. */
  ms: number;
  /** Why it failed, for a person (never a secret). */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: DependencyCheck; redis: DependencyCheck; storage: DependencyCheck };
}

@Injectable()
export class Readiness {
  constructor(
    private readonly db: DataSource,
    @Inject(PROGRESS_REDIS) private readonly redis: Redis,
    private readonly storage: ObjectStorage,
  ) {}

  /** Runs the three checks side by side; each fails after READINESS_TIMEOUT_MS. */
  async check(timeoutMs = READINESS_TIMEOUT_MS): Promise<ReadinessReport> {
    const [database, redis, storage] = await Promise.all([
      timed(() => this.db.query('SELECT 1'), timeoutMs),
      timed(() => this.redis.ping(), timeoutMs),
      timed(() => this.storage.head(STORAGE_PROBE_KEY), timeoutMs),
    ]);
    return { ready: database.ok && redis.ok && storage.ok, checks: { database, redis, storage } };
  }
}

async function timed(run: () => Promise<unknown>, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([run(), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, ms: Math.round(performance.now() - started), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
