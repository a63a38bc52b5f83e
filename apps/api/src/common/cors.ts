/**
 * CORS, in two parts.
 *
 * - Preflights (OPTIONS) are answered by @fastify/cors. It is registered in a scope of its own, where
 *   its only route is its OPTIONS catch-all, so its hook runs for preflights and nothing else.
 * - An actual request only needs `Access-Control-Allow-Origin` (and `Vary: Origin` when the answer
 *   depends on the origin), worked out here from a table made at startup. @fastify/cors's hook spent
 *   about 5 µs per request on it, merging its options and reading the route's: a tenth of a progress
 *   poll, the route a frontend calls every second.
 *
 * Tokens travel in a header, never in cookies, so "any origin" is a plain `*` and no credentials flag.
 */
import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { Logger } from '@nestjs/common';
import { envelopeErrorHandler } from './api-exception.filter.js';
import { fail } from './envelope.js';

export type CorsOrigins = string[] | '*';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** The tus headers are the ones tus-js-client and Uppy send (tus 1.0.0, with the extensions). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  // `no-cache` on a progress read: answer what storage holds now (progress.route.ts).
  'Cache-Control',
  'Tus-Resumable',
  'Upload-Length',
  'Upload-Offset',
  'Upload-Metadata',
  'Upload-Checksum',
  'Upload-Concat',
  'Upload-Defer-Length',
  'X-HTTP-Method-Override',
  // An EventSource sends it when it reconnects to an event stream.
  'Last-Event-ID',
  // A page's own id for a request, carried into the API's and the worker's log lines.
  'X-Request-Id',
];
/** Answer headers a page's script may read: the tus client reads these; a page may report X-Request-Id. */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'Location',
  'Tus-Resumable',
  'Tus-Version',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Checksum-Algorithm',
  'Upload-Offset',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Expires',
].join(', ');
const NOT_A_PREFLIGHT = 'OPTIONS is answered to CORS preflights: send Origin and Access-Control-Request-Method';

/** OPTIONS below `prefix` is also a discovery request (tus): its answers carry `headers`. */
export interface OptionsDiscovery {
  prefix: string;
  headers: Record<string, string>;
}

export async function answerPreflights(
  fastify: FastifyInstance,
  origins: CorsOrigins,
  discovery?: OptionsDiscovery,
): Promise<void> {
  await fastify.register(async (scope) => {
    scope.setErrorHandler(envelopeErrorHandler(new Logger('Preflight')));
    // An OPTIONS that is no preflight is refused here, in the envelope (@fastify/cors answers it in plain text),
    // unless it is a discovery request: 204 with the discovery headers (a preflight there gets them too).
    scope.addHook('onRequest', (req, reply, done) => {
      const discovering = discovery !== undefined && req.url.startsWith(discovery.prefix);
      if (discovering) void reply.headers(discovery.headers);
      if (req.headers.origin !== undefined && req.headers['access-control-request-method'] !== undefined) done();
      else if (discovering) void reply.status(204).send();
      else void reply.status(400).send(fail('BAD_REQUEST', NOT_A_PREFLIGHT));
    });
    await scope.register(cors, {
      origin: origins,
      methods: METHODS,
      allowedHeaders: ALLOWED_HEADERS,
      strictPreflight: false,
    });
  });
}

/** The CORS headers of an actual request's answer, given its Origin header. */
export function actualRequestCors(
  origins: CorsOrigins,
): (origin: string | undefined) => Readonly<Record<string, string>> {
  const exposed = { 'access-control-expose-headers': EXPOSED_HEADERS };
  if (origins === '*') {
    const any = { 'access-control-allow-origin': '*', ...exposed };
    return () => any;
  }
  const allowed = new Map(origins.map((o) => [o, { 'access-control-allow-origin': o, vary: 'Origin', ...exposed }]));
  const refused = { vary: 'Origin' };
  return (origin) => (origin !== undefined && allowed.get(origin)) || refused;
}
