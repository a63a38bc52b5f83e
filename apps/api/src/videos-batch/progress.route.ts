/**
 * GET /api/v1/videos/batch/progress/:uploadId, the route a page polls about once a second per file, as a
 * Fastify route rather than a Nest one: Nest's guards, pipes and interceptor cost more per poll than the
 * poll's own work (BENCHMARKS.md, "Progress route", has both measured). It sits in Fastify's router and
 * hooks like every route (security headers, CORS, the refusal of streamed bodies, router errors in the
 * envelope) and takes the Nest route's steps with the same pieces: AuthGuard's token verifier, the UUID
 * rule of ParseUuid, the ReadProgress use case, the envelope, and ApiExceptionFilter's error mapping.
 * Its OpenAPI operation is built below from the DTOs, as the decorators of a Nest route would.
 */
import { Logger } from '@nestjs/common';
import { getSchemaPath, type OperationObject } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { ReadProgress } from '#uploads';
import type { JwtVerifier } from '../auth/jwt-verifier.js';
import { ErrorEnvelopeDto, okEnvelopeSchema } from '../common/api-envelope.decorator.js';
import { envelopeErrorHandler } from '../common/api-exception.filter.js';
import { ok } from '../common/envelope.js';
import { uuidParam, UPLOAD_ID_PARAM } from '../common/uuid-param.js';
import { ProgressDto } from './dto/progress.dto.js';

export const PROGRESS_ROUTE = '/api/v1/videos/batch/progress/:uploadId';

export function mountProgressRoute(fastify: FastifyInstance, verifier: JwtVerifier, readProgress: ReadProgress): void {
  fastify.route<{ Params: { uploadId: string } }>({
    method: 'GET',
    url: PROGRESS_ROUTE,
    handler: async (request) => {
      const user = await verifier.authenticate(request.headers.authorization);
      const uploadId = uuidParam('uploadId', request.params.uploadId);
      const fresh = wantsRevalidation(request.headers['cache-control']);
      return ok(await readProgress.execute({ uploadId, ownerId: user.id, fresh }));
    },
    errorHandler: envelopeErrorHandler(new Logger('ProgressRoute')),
  });
}

/**
 * Whether a request's Cache-Control asks for an answer checked with the origin (RFC 9111 5.2.1): `no-cache`,
 * or `max-age=0`, which browsers send on a reload and fetch's `cache: 'no-cache'` sends.
 */
export function wantsRevalidation(cacheControl: string | undefined): boolean {
  if (!cacheControl) return false;
  return cacheControl
    .toLowerCase()
    .split(',')
    .some((directive) => {
      const d = directive.trim();
      return d === 'no-cache' || d === 'max-age=0';
    });
}

/** The route's OpenAPI path and operation; the models are ProgressDto and ErrorEnvelopeDto. */
export const PROGRESS_OPENAPI_PATH = PROGRESS_ROUTE.replace(':uploadId', '{uploadId}');
export const PROGRESS_MODELS = [ProgressDto, ErrorEnvelopeDto];

export function progressOperation(): OperationObject {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDto) } } },
  });
  return {
    operationId: 'BatchController_progress',
    summary: 'Progress of one file: percent, status, failed chunks, stored chunks',
    tags: ['videos-batch'],
    security: [{ bearer: [] }],
    description:
      'Answers what Redis knows at once. A poll starts a look in storage (ListParts, at most once per ' +
      'PROGRESS_SYNC_INTERVAL_MS per upload) behind its answer, so a part PUT straight to storage shows by the ' +
      'poll after the one that looked: within one interval and one poll. With `Cache-Control: no-cache` (or ' +
      '`max-age=0`) the answer waits for that look, unless one ran within the interval (then it can miss a ' +
      'part PUT since): what a page resuming after a reload asks, to skip the chunks stored.',
    parameters: [
      { in: 'path', required: true, ...UPLOAD_ID_PARAM },
      {
        in: 'header',
        name: 'Cache-Control',
        required: false,
        description:
          '`no-cache` or `max-age=0` (RFC 9111 5.2.1): wait for a look in storage, unless one ran within ' +
          'PROGRESS_SYNC_INTERVAL_MS',
        schema: { type: 'string', example: 'no-cache' },
      },
    ],
    responses: {
      200: { description: 'Success', content: { 'application/json': { schema: okEnvelopeSchema(ProgressDto) } } },
      400: error('uploadId is not a UUID'),
      401: error('Missing, malformed, expired or wrongly signed token'),
      404: error('Unknown uploadId'),
      410: error('Upload expired or aborted'),
      500: error('A fault of the server: error.details.errorId is in its log'),
    },
  };
}
