/**
 * RedisProgressStore against the real Redis: the conformance suite, then what only Redis shows (keys,
 * expiries, round trips). Every run uses its own key prefix and deletes its keys afterwards, so test
 * files (and people) can share one server.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describeProgressStoreConformance, mutateAll, progressInitOf } from '../test/conformance.js';
import type { ProgressInit } from './progress.store.js';
import { RedisProgressStore } from './redis-progress.store.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MiB = 1024 * 1024;

describe('RedisProgressStore', () => {
  const prefix = `test:progress:${randomUUID()}:`;
  let redis: Redis;
  let store: RedisProgressStore;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
    store = new RedisProgressStore(redis, { keyPrefix: prefix });
  });

  afterAll(async () => {
    const keys = await scan(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  async function scan(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found;
  }

  async function newUpload(overrides: Partial<ProgressInit> = {}): Promise<ProgressInit> {
    const p = progressInitOf(overrides);
    await store.init(p);
    return p;
  }

  const keysOf = (id: string): string[] => {
    const base = `${prefix}up:{${id}}`;
    return [base, `${base}:done`, `${base}:failed`, `${base}:leases`];
  };

  describeProgressStoreConformance('Redis', () => new RedisProgressStore(redis, { keyPrefix: prefix }));

  // The conformance suite checks what the snapshot says of such indices; here, what Redis holds.
  it('allocates no bitmap for chunk indices outside the upload', async () => {
    const p = await newUpload();
    await store.markManyDone(p.uploadId, [
      [4, MiB],
      [-1, MiB],
      [2 ** 31, MiB],
    ]);
    expect(await redis.strlen(keysOf(p.uploadId)[1])).toBe(0);
  });

  it('the sync lock is a key of its own that expires', async () => {
    const p = await newUpload();
    expect(await store.tryLockSync(p.uploadId, 5_000)).toBe(true);
    expect(await store.tryLockSync(p.uploadId, 5_000)).toBe(false);
    const ttl = await redis.pttl(`${prefix}up:{${p.uploadId}}:sync`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('every key carries the upload expiry, including keys created later', async () => {
    const p = await newUpload();
    await store.markDone(p.uploadId, 0, 5 * MiB);
    await store.markFailed(p.uploadId, [1, 2]);
    await store.markRetrying(p.uploadId, [2], Date.now() + 60_000);
    for (const key of keysOf(p.uploadId)) {
      expect(await redis.pttl(key)).toBeGreaterThan(0);
      expect(await redis.pexpiretime(key)).toBe(p.expiresAt);
    }
  });

  it('mutations after remove() do not recreate keys', async () => {
    const p = await newUpload();
    await store.markFailed(p.uploadId, [1]);
    await store.tryLockSync(p.uploadId, 60_000);
    await store.remove(p.uploadId);
    await mutateAll(store, p.uploadId);
    expect(await scan(`${prefix}up:{${p.uploadId}}*`)).toEqual([]);
    expect(await store.get(p.uploadId)).toBeNull();
    expect(await store.leases(p.uploadId)).toEqual(new Map());
  });

  it('mutations after the hash expired or was flushed do not resurrect a partial upload', async () => {
    const p = await newUpload();
    await store.markDone(p.uploadId, 1, 5 * MiB);
    await redis.del(keysOf(p.uploadId)[0], keysOf(p.uploadId)[1]);
    await mutateAll(store, p.uploadId);
    expect(await redis.exists(...keysOf(p.uploadId))).toBe(0);
  });

  it('50 concurrent markDone of one chunk from several clients count it once', async () => {
    const p = await newUpload();
    const clients = Array.from({ length: 5 }, () => redis.duplicate());
    try {
      const stores = clients.map((c) => new RedisProgressStore(c, { keyPrefix: prefix }));
      await Promise.all(
        Array.from({ length: 50 }, (_, n) => stores[n % stores.length].markDone(p.uploadId, 2, 5 * MiB)),
      );
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
    expect(await store.get(p.uploadId)).toMatchObject({ completedCount: 1, completedBytes: 5 * MiB });
  });

  it('get on 10,000 chunks is one round trip and uses no per-chunk keys', async () => {
    const total = 10_000;
    const p = await newUpload({ totalChunks: total, size: total * 5 * MiB });
    const done = Array.from({ length: total - 2 }, (_, n): [number, number] => [n, 5 * MiB]);
    await store.markManyDone(p.uploadId, done);
    await store.markFailed(p.uploadId, [total - 1]);
    await store.get(p.uploadId); // loads the script, so the measured call is not a NOSCRIPT retry

    const monitor = await redis.monitor();
    const seen: Array<{ args: string[]; source: string }> = [];
    const marker = `end-${randomUUID()}`;
    const reachedMarker = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[], source: string) => {
        if (args.includes(marker)) resolve();
        else if (args.some((a) => a.includes(p.uploadId))) seen.push({ args, source });
      });
    });
    let snapshot;
    try {
      snapshot = await store.get(p.uploadId);
      await redis.echo(marker); // monitor output is ordered: after the marker, nothing of ours is pending
      await reachedMarker;
    } finally {
      monitor.disconnect();
    }

    const fromClient = seen.filter((e) => e.source !== 'lua');
    expect(fromClient).toHaveLength(1);
    expect(fromClient[0].args[0].toLowerCase()).toMatch(/^eval/);
    expect(seen.length).toBeLessThanOrEqual(4); // the call itself plus HGETALL, SMEMBERS and GET of the bitmap
    expect(snapshot).toMatchObject({
      completedCount: total - 2,
      progress: 99,
      status: 'failed',
      failedChunks: [total - 1],
      storedChunks: `0-${total - 3}`,
    });
    expect((await scan(`${prefix}up:{${p.uploadId}}*`)).length).toBeLessThanOrEqual(4);
  });
});
