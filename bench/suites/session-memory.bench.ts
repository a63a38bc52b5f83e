/**
 * Measure 4: Redis memory per open upload session. Creates N sessions through RedisProgressStore (what
 * init does per file) under a prefix of their own and reads INFO memory's used_memory before and after:
 *   - just initialised (the hash of counters and metadata),
 *   - then mid-upload as a 1,000-chunk file: chunks 0 and 999 done (the bitmap has its full 125
 *     bytes whatever the number of bits set) and chunk 1 failed.
 * used_memory is server-wide, so MEMORY USAGE of a sample of sessions' keys is reported beside it.
 */
import { randomUUID } from 'node:crypto';
import { RedisProgressStore } from '#progress';
import type { Redis } from 'ioredis';
import type { BenchConfig } from '../bench.config.js';
import { type BenchStack, deleteKeys } from '../support/stack.js';
import { MiB, sleep } from '../support/stats.js';

export interface SessionMemoryResult {
  sessions: number;
  chunks: number;
  /** Bytes per session from the used_memory delta. */
  initBytes: number;
  midUploadBytes: number;
  /** Bytes per session from MEMORY USAGE of every key of a sample of sessions. */
  initSampleBytes: number;
  midUploadSampleBytes: number;
}

const BATCH = 500;
const SAMPLE = 200;

export async function benchSessionMemory(
  stack: BenchStack,
  config: BenchConfig,
  log: (line: string) => void,
): Promise<SessionMemoryResult> {
  const prefix = `${stack.redisPrefix}memory:`;
  const store = new RedisProgressStore(stack.redis, { keyPrefix: prefix });
  const chunks = 1000;
  const chunkBytes = config.chunkMiB * MiB;
  const ids = Array.from({ length: config.sessions }, () => randomUUID());
  const sample = ids.slice(0, SAMPLE);
  const now = Date.now();
  await deleteKeys(stack.redis, prefix);
  try {
    const before = await usedMemory(stack.redis);
    await inBatches(ids, (id, n) =>
      store.init({
        uploadId: id,
        filename: `holiday-video-${String(n).padStart(5, '0')}.mp4`,
        ownerId: 'user-0123456789',
        totalChunks: chunks,
        size: chunks * chunkBytes,
        expiresAt: now + 86_400_000,
        urlsExpireAt: now + 3_600_000,
      }),
    );
    const afterInit = await usedMemory(stack.redis);
    const initSample = await keyBytes(stack.redis, prefix, sample);
    await inBatches(ids, async (id) => {
      await store.markManyDone(id, [
        [0, chunkBytes],
        [chunks - 1, chunkBytes],
      ]);
      await store.markFailed(id, [1]);
    });
    const afterMid = await usedMemory(stack.redis);
    const midSample = await keyBytes(stack.redis, prefix, sample);
    const result = {
      sessions: ids.length,
      chunks,
      initBytes: (afterInit - before) / ids.length,
      midUploadBytes: (afterMid - before) / ids.length,
      initSampleBytes: initSample,
      midUploadSampleBytes: midSample,
    };
    log(
      `memory per session: ${result.initBytes.toFixed(0)} B after init, ${result.midUploadBytes.toFixed(0)} B mid-upload (MEMORY USAGE: ${initSample.toFixed(0)} / ${midSample.toFixed(0)} B)`,
    );
    return result;
  } finally {
    await deleteKeys(stack.redis, prefix);
  }
}

async function inBatches(ids: string[], work: (id: string, n: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < ids.length; i += BATCH)
    await Promise.all(ids.slice(i, i + BATCH).map((id, k) => work(id, i + k)));
}

/** used_memory after Redis settled (lazy frees and rehashing happen in the background). */
async function usedMemory(redis: Redis): Promise<number> {
  await sleep(200);
  const info = await redis.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/** Mean over `ids` of the summed MEMORY USAGE of each session's keys. */
async function keyBytes(redis: Redis, prefix: string, ids: string[]): Promise<number> {
  let total = 0;
  for (const id of ids) {
    const base = `${prefix}up:{${id}}`;
    for (const key of [base, `${base}:done`, `${base}:failed`, `${base}:leases`]) {
      total += Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
    }
  }
  return total / ids.length;
}
