/**
 * Liveness and readiness as an orchestrator probes them, on the API (/health/live, /health/ready) and
 * on the worker's health port (WORKER_HEALTH_PORT): readiness goes false when Redis stops and true again
 * when it is back, while liveness stays true. Redis is a private redis-server of this test, never the
 * shared one.
 */
import { PrivateRedis } from './support/private-redis.js';
import { eventually } from './support/files.js';
import { freePort, startStack, type Stack } from './support/stack.js';

interface Report {
  ready: boolean;
  checks: Record<'database' | 'redis' | 'storage', { ok: boolean; ms: number; error?: string }>;
}

async function probe(url: string): Promise<{ status: number; body: Report }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Report };
}

describe('health', () => {
  const redis = new PrivateRedis();
  let stack: Stack;
  let workerHealth: string;

  beforeAll(async () => {
    const redisUrl = await redis.start();
    stack = await startStack({ driver: 's3', env: { REDIS_URL: redisUrl } });
    // The test's own clients of this Redis see it go away too; that is the point, not a failure.
    stack.queue.on('error', () => undefined);
    stack.redis.on('error', () => undefined);
    const port = await freePort();
    await stack.startWorker({ WORKER_HEALTH_PORT: String(port) });
    workerHealth = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await stack?.stop();
    await redis.stop();
  });

  it('reports ready when PostgreSQL, Redis and storage answer, not ready while Redis is down, ready again after', async () => {
    const ready = { status: 200, body: expect.objectContaining({ ready: true }) as unknown };
    for (const url of [`${stack.url}/health/ready`, `${workerHealth}/health/ready`]) {
      const answer = await probe(url);
      expect(answer).toEqual(ready);
      expect(Object.values(answer.body.checks).map((c) => c.ok)).toEqual([true, true, true]);
    }

    await redis.kill();
    for (const url of [`${stack.url}/health/ready`, `${workerHealth}/health/ready`]) {
      const down = await eventually(
        () => probe(url),
        (a) => a.status === 503,
        15_000,
      );
      expect(down.body.ready).toBe(false);
      expect(down.body.checks.redis.ok).toBe(false);
      expect(down.body.checks.database.ok).toBe(true);
      expect(down.body.checks.storage.ok).toBe(true);
    }
    // Alive all the while: an orchestrator must not restart a process whose dependency is down.
    expect((await fetch(`${stack.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${workerHealth}/health/live`)).status).toBe(200);

    await redis.start();
    for (const url of [`${stack.url}/health/ready`, `${workerHealth}/health/ready`]) {
      const up = await eventually(
        () => probe(url),
        (a) => a.status === 200,
        20_000,
      );
      expect(up.body.checks.redis.ok).toBe(true);
    }
  }, 90_000);
});
