/**
 * GET /api/v1/videos/batch/progress/:uploadId, answered on node:http before Fastify sees the request.
 *
 * A frontend polls this about once a second for every file of a batch, so it is the API's hottest route.
 * Through Nest's pipeline (global guards, validation pipe, envelope interceptor) a poll cost about four
 * times the Redis read that answers it. As a plain Fastify route it still cost about 12 µs of CPU per
 * poll more than here (Fastify's request and reply objects, routing, the hooks Nest's adapter installs;
 * measured with npm run bench, the two builds interleaved). It does only its own steps: the same
 * verifier (and its cache of verified tokens), the rule of UploadIdParamsDto, UploadProgressService,
 * the envelope, the error mapping of ApiExceptionFilter, and the headers every answer carries
 * (security headers and CORS, as bootstrap.ts's hook sets them).
 *
 * It takes only what it answers in full: GET or HEAD of exactly one path segment after the prefix,
 * with no streaming content type. Anything else goes on to Fastify, whose answers (404 for an unknown
 * route, 400 for a malformed URL, 415 for a stream) are the same as for every other path.
 * Its OpenAPI operation is written out below, with the operationId Nest gave it, so that generated
 * clients keep their method name.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import { getSchemaPath, type OperationObject } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import type { JwtVerifier } from '../auth/jwt-verifier.js';
import { ErrorEnvelopeDto } from '../common/api-envelope.decorator.js';
import { errorResponse } from '../common/api-exception.filter.js';
import { type Envelope, ok } from '../common/envelope.js';
import { streamsBody } from '../common/streaming.js';
import { validationErrorOf } from '../common/validation.js';
import { ProgressDto } from './dto/progress.dto.js';
import { UploadIdParamsDto } from './dto/upload-params.dto.js';
import type { UploadProgressService } from './upload-progress.service.js';

export const PROGRESS_ROUTE = '/api/v1/videos/batch/progress/:uploadId';
const PREFIX = PROGRESS_ROUTE.slice(0, PROGRESS_ROUTE.indexOf(':'));

/** Answers the request and returns true, or returns false without touching it. */
export type RawRoute = (request: IncomingMessage, response: ServerResponse) => boolean;

export interface ProgressRouteDeps {
  verifier: JwtVerifier;
  uploads: UploadProgressService;
  /** Headers of every JSON answer, and the CORS headers for the request's Origin. */
  headers: Readonly<Record<string, string>>;
  cors: (origin: string | undefined) => Readonly<Record<string, string>>;
}

export function progressRoute({ verifier, uploads, headers, cors }: ProgressRouteDeps): RawRoute {
  const logger = new Logger('ProgressRoute');
  // Name/value pairs, the form writeHead takes without copying into an object first.
  const fixed = Object.entries({ ...headers, 'content-type': 'application/json; charset=utf-8' }).flat();

  const send = (request: IncomingMessage, response: ServerResponse, status: number, body: Envelope<unknown>) => {
    const json = JSON.stringify(body);
    const all = fixed.concat('content-length', String(Buffer.byteLength(json)));
    for (const [name, value] of Object.entries(cors(request.headers.origin))) all.push(name, value);
    response.writeHead(status, all);
    response.end(json); // Node leaves the body out of a HEAD answer.
  };

  const answer = async (request: IncomingMessage, response: ServerResponse, uploadId: string) => {
    let status = 200;
    let body: Envelope<unknown>;
    try {
      // In Nest's order: who is calling, then whether the parameters are valid.
      const user = await verifier.authenticate(request.headers.authorization);
      if (!isUUID(uploadId)) throw (await validationErrorOf(UploadIdParamsDto, { uploadId })) ?? new Error(`uploadId ${uploadId} is no UUID but passed validation`);
      body = ok(await uploads.progressOf(uploadId, user.id));
    } catch (error) {
      ({ status, body } = errorResponse(error, logger));
    }
    send(request, response, status, body);
  };

  return (request, response) => {
    const url = request.url!;
    if (!url.startsWith(PREFIX) || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const query = url.indexOf('?', PREFIX.length);
    const segment = url.slice(PREFIX.length, query < 0 ? undefined : query);
    if (segment === '' || segment.includes('/') || streamsBody(request.headers['content-type'])) return false;
    const uploadId = segment.includes('%') ? decoded(segment) : segment;
    if (uploadId === undefined) return false;
    answer(request, response, uploadId).catch((error: unknown) => {
      // Only a failure to write the answer gets here: the socket is the one thing left to close.
      logger.error(`progress answer failed: ${(error as Error)?.stack ?? String(error)}`);
      response.destroy();
    });
    return true;
  };
}

/** A path segment percent-decoded as Fastify's router does, or undefined when it is malformed. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The OpenAPI path of the route and its operation, as the decorators of a Nest route would describe it. */
export const PROGRESS_OPENAPI_PATH = PROGRESS_ROUTE.replace(/:(\w+)/g, '{$1}');
export const PROGRESS_MODELS = [ProgressDto, ErrorEnvelopeDto];

export function progressOperation(): OperationObject {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDto) } } } });
  return {
    operationId: 'BatchController_progress',
    summary: 'Progress of one file: percent, status, failed chunks',
    tags: ['videos-batch'],
    security: [{ bearer: [] }],
    parameters: [
      { name: 'uploadId', required: true, in: 'path', description: 'uploadId from init.', schema: { format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d', type: 'string' } },
    ],
    responses: {
      200: {
        description: 'Success',
        content: {
          'application/json': {
            schema: { type: 'object', required: ['success', 'data'], properties: { success: { type: 'boolean', example: true }, data: { $ref: getSchemaPath(ProgressDto) } } },
          },
        },
      },
      401: error('Missing, malformed, expired or wrongly signed token'),
      404: error('Unknown uploadId'),
      410: error('Upload expired'),
    },
  };
}
