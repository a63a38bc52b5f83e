/**
 * The limit of the control plane: GET /progress/:id on bare Fastify and ioredis, doing the API's Redis
 * read (RedisProgressStore.get: one EVALSHA of the store's `get` script) and nothing else (no Nest,
 * no token check, no validation, no storage sync). It answers the same envelope as the API.
 *   BENCH_PORT=<port> REDIS_URL=... REDIS_PREFIX=... node dist/bench/servers/bare-progress.server.js
 */
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { RedisProgressStore } from '#progress';

const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const store = new RedisProgressStore(redis, { keyPrefix: process.env.REDIS_PREFIX ?? 'reelay:' });
const app = Fastify({ logger: false });

app.get<{ Params: { id: string } }>('/progress/:id', async (req, reply) => {
  const s = await store.get(req.params.id);
  if (!s)
    return reply
      .code(404)
      .send({ success: false, error: { code: 'UPLOAD_NOT_FOUND', message: 'not found', details: null } });
  const { uploadId, filename, progress, status, failedChunks, totalChunks, completedCount } = s;
  return { success: true, data: { uploadId, filename, progress, status, failedChunks, totalChunks, completedCount } };
});

const address = await app.listen({ port: Number(process.env.BENCH_PORT ?? 0), host: '127.0.0.1' });
console.log(`bare-progress listening ${address}`);
process.on('SIGTERM', () => {
  void app.close().then(() => {
    redis.disconnect();
    process.exit(0);
  });
});
