/**
 * What every request leaves behind, from Fastify's own hooks rather than a Nest interceptor (the chunk
 * route and the progress poll are hot; each hook does a few property reads):
 * - its id (requestIdFrom: the caller's valid X-Request-Id, else a UUID) answered in X-Request-Id (set
 *   with the security headers, in bootstrap.ts's one onRequest hook for the headers every answer carries).
 *   Complete hands it to the processing job (@RequestId()), so that the worker's lines for the upload
 *   carry it. No AsyncLocalStorage context per request: on Node 20 it made every Nest request cost about
 *   1.5x the CPU (its promise hook runs for every promise), so the API's other lines carry no reqId;
 * - reelay_http_request_duration_seconds by method, route pattern (never the URL: ids and tokens stay
 *   out of the labels; `unmatched` for no route) and status;
 * - one access line at `log` level: reqId, method, route, url, status, ms. The line's secrets (a
 *   signature in the query, the Uppy token in the path) are scrubbed as it is written.
 */
import type { FastifyInstance } from 'fastify';
import { contextLogger, httpRequestDuration, loggableUrl } from '#observability';

export function observeRequests(fastify: FastifyInstance): void {
  const access = contextLogger('HTTP');
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const { method } = request;
    const status = reply.statusCode;
    httpRequestDuration.observe({ method, route, status }, reply.elapsedTime / 1000);
    if (access.isLevelEnabled('info')) {
      const url = loggableUrl(request.url);
      access.info({ reqId: request.id, method, route, url, status, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });
}
