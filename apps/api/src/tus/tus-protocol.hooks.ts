/**
 * The tus protocol's headers on every tus route, in Fastify hooks so that they are there whatever answers
 * (the controller, a guard's 401, the exception filter, Fastify's own 415):
 * - `Tus-Resumable: 1.0.0` on every answer (core protocol, "Tus-Resumable": every response but OPTIONS);
 * - a request other than OPTIONS without `Tus-Resumable: 1.0.0` is answered 412 with `Tus-Version`
 *   before anything else runs (core protocol, "Tus-Resumable");
 * - 460 goes out with its reason phrase, "Checksum Mismatch" (checksum extension), which Node does not know.
 */
import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { hookRoutes } from '../common/route-hooks.js';
import type { IncomingHttpHeaders } from 'node:http';
import {
  CHECKSUM_ALGORITHMS,
  TUS_EXTENSIONS,
  TUS_VERSION,
  tusMaxSize,
  UploadError,
  UploadErrorCode,
  type UploadSettings,
} from '#uploads';
import { errorResponse } from '../common/api-exception.filter.js';

export const TUS_PATH = '/api/v1/tus';

/** Whether `url` is the tus creation URL or an upload's URL. */
export function isTusUrl(url: string): boolean {
  return url === TUS_PATH || url.startsWith(`${TUS_PATH}/`) || url.startsWith(`${TUS_PATH}?`);
}

/** What OPTIONS answers on the tus URLs (core protocol, "OPTIONS"; checksum extension). */
export function tusDiscoveryHeaders(settings: Pick<UploadSettings, 'maxFileSize'>): Record<string, string> {
  return {
    'tus-resumable': TUS_VERSION,
    'tus-version': TUS_VERSION,
    'tus-extension': TUS_EXTENSIONS.join(','),
    'tus-max-size': String(tusMaxSize(settings)),
    'tus-checksum-algorithm': CHECKSUM_ALGORITHMS.join(','),
  };
}

/** Methods a client may tunnel through a POST to an upload's URL with X-HTTP-Method-Override. */
const OVERRIDABLE = new Set(['PATCH', 'DELETE']);

/**
 * Fastify's `rewriteUrl`, which runs before routing: a POST to a tus upload URL that carries
 * `X-HTTP-Method-Override: PATCH` (or `DELETE`) is routed as that method (core protocol, "X-HTTP-Method-
 * Override": the header "MUST be interpreted as the request's method by the Server ... The actual method of
 * the request MUST be ignored"; tus-js-client's `overridePatchMethod`). Other values and other URLs are left
 * alone, so the route answers as for a plain POST.
 */
export function tusMethodOverride(req: { method?: string; url?: string; headers: IncomingHttpHeaders }): string {
  const url = req.url ?? '/';
  const override = req.headers['x-http-method-override'];
  if (req.method === 'POST' && typeof override === 'string' && url.startsWith(`${TUS_PATH}/`)) {
    const method = override.trim().toUpperCase();
    if (OVERRIDABLE.has(method)) req.method = method;
  }
  return url;
}

export function mountTusProtocol(fastify: FastifyInstance): void {
  const logger = new Logger('TusProtocol');
  fastify.addHook('onRequest', (req, reply, done) => {
    if (!isTusUrl(req.url) || req.method === 'OPTIONS') return done();
    void reply.header('tus-resumable', TUS_VERSION);
    // HEAD (core protocol): "The Server MUST prevent the client and/or proxies from caching the response."
    if (req.method === 'HEAD') void reply.header('cache-control', 'no-store');
    if (req.headers['tus-resumable'] === TUS_VERSION) return done();
    const refusal = new UploadError(
      UploadErrorCode.TusVersionUnsupported,
      `this server speaks tus ${TUS_VERSION}: send Tus-Resumable: ${TUS_VERSION}`,
      { tusResumable: req.headers['tus-resumable'] ?? null, tusVersion: TUS_VERSION },
    );
    const { status, body } = errorResponse(refusal, logger, req);
    void reply.header('tus-version', TUS_VERSION).status(status).send(body);
  });
  hookRoutes(
    fastify,
    'onSend',
    (route) => isTusUrl(route.url),
    (_req, reply, payload, done) => {
      if (reply.statusCode === 460) reply.raw.statusMessage = 'Checksum Mismatch';
      done(null, payload);
    },
  );
}
