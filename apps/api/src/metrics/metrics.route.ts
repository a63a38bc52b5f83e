/**
 * GET /metrics on the API's own port, when METRICS_PORT is 0 and METRICS_TOKEN is set: a Fastify route
 * (no guard, pipe or envelope on the way), answered only to `Authorization: Bearer <METRICS_TOKEN>`;
 * anyone else gets 401 in the envelope. With METRICS_PORT set, main.ts serves it on that port instead.
 */
import type { FastifyInstance } from 'fastify';
import { METRICS_PATH, metricsExposition, scrapeAllowed } from '#observability';
import { fail } from '../common/envelope.js';

export function mountMetricsRoute(fastify: FastifyInstance, token: string): void {
  fastify.get(METRICS_PATH, async (request, reply) => {
    if (!scrapeAllowed(request.headers.authorization, token)) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send(fail('UNAUTHORIZED', 'metrics need Authorization: Bearer <METRICS_TOKEN>'));
    }
    const { contentType, text } = await metricsExposition();
    return reply.type(contentType).header('cache-control', 'no-store').send(text);
  });
}
