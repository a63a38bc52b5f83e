/**
 * Maps every error to the envelope. UploadError by its code (uploadErrorStatus, the one exhaustive
 * switch); Nest and Fastify HTTP errors (unknown route, malformed JSON, body too large, wrong content
 * type) by their status; anything else is a 500 that carries an error id and never the internals. Each
 * 500 is logged once, here, with its id, method, route and stack: from Nest's routes (this filter, which
 * also gets Fastify's errors on them), the routes outside Nest (envelopeErrorHandler) and the router.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UploadError, UploadErrorCode } from '#uploads';
import { fail } from './envelope.js';

/** Codes of the HTTP errors Nest and Fastify raise themselves; any other 4xx is BAD_REQUEST. */
const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Every `error.code` the API answers (README, "What the API answers"; the OpenAPI document's enum). */
export const ERROR_CODES: readonly string[] = [
  ...new Set([...Object.values(UploadErrorCode), ...Object.values(HTTP_CODES), 'INTERNAL_ERROR']),
];

/** The code of an HTTP error Nest, Fastify or Node raises with this 4xx status. */
export function httpErrorCode(status: number): string {
  return HTTP_CODES[status] ?? 'BAD_REQUEST';
}

/** What a 500 is logged with; Fastify's request is one. */
export interface FailedRequest {
  method: string;
  url: string;
  routeOptions?: { url?: string };
}

export function errorResponse(
  error: unknown,
  logger: Logger,
  request: FailedRequest,
): { status: number; body: ReturnType<typeof fail> } {
  if (error instanceof UploadError) {
    return { status: uploadErrorStatus(error.code), body: fail(error.code, error.message, error.details) };
  }
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    const message = error instanceof HttpException ? messageOf(error) : (error as Error).message;
    return { status, body: fail(httpErrorCode(status), message) };
  }
  const errorId = randomUUID();
  logServerError(logger, errorId, request, error);
  return { status: 500, body: fail('INTERNAL_ERROR', 'Something went wrong on our side', { errorId }) };
}

/** A URL's path is logged up to this length (a URL may be as long as Node's 16 KiB of headers). */
const LOGGED_PATH_LENGTH = 300;

/**
 * One line (and the stack) per 500: `error <id> on <METHOD> <path> (route <pattern>): <stack>`. The query
 * string is left out: a signed storage URL carries its signature there.
 */
export function logServerError(logger: Logger, errorId: string, request: FailedRequest, error: unknown): void {
  const path = request.url.split('?')[0].slice(0, LOGGED_PATH_LENGTH);
  const route = request.routeOptions?.url;
  const where = `${request.method} ${path}${route && route !== path ? ` (route ${route})` : ''}`;
  logger.error(`error ${errorId} on ${where}: ${(error as Error)?.stack ?? String(error)}`);
}

/**
 * Fastify's error handler for the routes outside Nest (progress, the disk driver's, preflights), which
 * Nest's own does not reach: they are registered before Nest installs it.
 */
export function envelopeErrorHandler(logger: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply): void => {
    const { status, body } = errorResponse(error, logger, request);
    void reply.status(status).send(body);
  };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { status, body } = errorResponse(error, this.logger, http.getRequest<FastifyRequest>());
    if (reply.sent) return;
    void reply.status(status).send(body);
  }
}

/** Status of Nest's HttpException or of Fastify's own errors (statusCode on the error). */
function httpStatusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof statusCode === 'number' ? statusCode : undefined;
}

function messageOf(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : error.message;
}

export function uploadErrorStatus(code: UploadErrorCode): number {
  switch (code) {
    case UploadErrorCode.ValidationFailed:
    case UploadErrorCode.ChunkIndexOutOfRange:
    case UploadErrorCode.ChunkLengthMismatch:
      return 400;
    case UploadErrorCode.Unauthorized:
      return 401;
    case UploadErrorCode.ChannelForbidden:
      return 403;
    case UploadErrorCode.UploadNotFound:
    case UploadErrorCode.BatchNotFound:
    case UploadErrorCode.VideoNotFound:
    case UploadErrorCode.WebhookNotFound:
      return 404;
    case UploadErrorCode.RequestTimeout:
      return 408;
    case UploadErrorCode.TusVersionUnsupported:
      return 412;
    case UploadErrorCode.UploadCompleted:
    case UploadErrorCode.UploadOffsetMismatch:
    case UploadErrorCode.MissingParts:
    case UploadErrorCode.MultipartUploadNotFound:
    case UploadErrorCode.SizeMismatch:
    case UploadErrorCode.WrongUploadRoute:
      return 409;
    case UploadErrorCode.UploadExpired:
    case UploadErrorCode.UploadAborted:
      return 410;
    case UploadErrorCode.ChunkTooLarge:
    case UploadErrorCode.UploadTooLarge:
      return 413;
    case UploadErrorCode.UnsupportedMediaType:
      return 415;
    case UploadErrorCode.UploadLocked:
      return 423;
    case UploadErrorCode.ChecksumMismatch:
      return 460;
    case UploadErrorCode.TooManyOpenUploads:
    case UploadErrorCode.RateLimited:
      return 429;
    case UploadErrorCode.StorageFailed:
      return 502;
  }
}
