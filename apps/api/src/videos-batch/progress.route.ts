/**
 * GET /api/v1/videos/batch/progress/:uploadId, served by Fastify directly.
 *
 * A frontend polls this about once a second for every file of a batch, so it is the API's hottest route.
 * Through Nest's pipeline (global guards, validation pipe, envelope interceptor) a poll cost about four
 * times the Redis read that answers it. This route does the same steps without the pipeline: the same
 * verifier (and its cache of verified tokens), the rule of UploadIdParamsDto, UploadProgressService, the
 * envelope and the error mapping of ApiExceptionFilter. Its OpenAPI operation is written out below,
 * with the operationId Nest gave it, so that generated clients keep their method name.
 */
import { Logger } from '@nestjs/common';
import { getSchemaPath, type OperationObject } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import type { FastifyInstance } from 'fastify';
import type { JwtVerifier } from '../auth/jwt-verifier.js';
import { ErrorEnvelopeDto } from '../common/api-envelope.decorator.js';
import { errorResponse } from '../common/api-exception.filter.js';
import { ok } from '../common/envelope.js';
import { validationErrorOf } from '../common/validation.js';
import { ProgressDto } from './dto/progress.dto.js';
import { UploadIdParamsDto } from './dto/upload-params.dto.js';
import type { UploadProgressService } from './upload-progress.service.js';

export const PROGRESS_ROUTE = '/api/v1/videos/batch/progress/:uploadId';

export function mountProgressRoute(fastify: FastifyInstance, verifier: JwtVerifier, uploads: UploadProgressService): void {
  const logger = new Logger('ProgressRoute');
  fastify.route<{ Params: { uploadId: string } }>({
    method: 'GET',
    url: PROGRESS_ROUTE,
    handler: async (request) => {
      // In Nest's order: who is calling, then whether the parameters are valid.
      const user = await verifier.authenticate(request.headers.authorization);
      const { uploadId } = request.params;
      if (!isUUID(uploadId)) throw (await validationErrorOf(UploadIdParamsDto, request.params)) ?? new Error(`uploadId ${uploadId} is no UUID but passed validation`);
      return ok(await uploads.progressOf(uploadId, user.id));
    },
    errorHandler: (error, _request, reply) => {
      const { status, body } = errorResponse(error, logger);
      void reply.status(status).send(body);
    },
  });
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
