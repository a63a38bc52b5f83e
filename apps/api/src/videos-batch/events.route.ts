/**
 * The live events of a batch, as Server-Sent Events:
 *   GET /api/v1/videos/batch/:batchId/events     every file of the batch
 *   GET /api/v1/videos/batch/events/:uploadId    one file (its events, and batch.completed)
 * Fastify routes rather than Nest ones: the answer is a stream that outlives the handler, without the
 * envelope. Errors before the stream starts (401, 404, a bad Last-Event-ID) are answered in the envelope
 * as on every route.
 *
 * Who is calling: `Authorization: Bearer <JWT>` (Node clients), or, since EventSource cannot send
 * headers, `?token=` minted by POST /batch/:batchId/events/token, good for that batch's streams only
 * (these two routes take no token in the query anywhere else). Each event is `id:` (its log id),
 * `event:` (its type) and `data:` (the event as JSON, with `at`); a comment line every
 * EVENTS_HEARTBEAT_SECONDS keeps proxies from closing an idle stream. `Last-Event-ID` (the header
 * EventSource sends when it reconnects, or `?lastEventId=` for a new EventSource) resumes after that
 * event; without it the stream starts with the batch's first event. Streams end when the client goes
 * away, and when the API stops (preClose), so that they never hold a shutdown.
 */
import { Logger } from '@nestjs/common';
import { getSchemaPath, type OperationObject } from '@nestjs/swagger';
import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type AccessTokens,
  type BatchWatch,
  type EventSettings,
  type LoggedBatchEvent,
  UploadError,
  UploadErrorCode,
  type WatchBatch,
} from '#uploads';
import type { JwtVerifier } from '../auth/jwt-verifier.js';
import { ErrorEnvelopeDto } from '../common/api-envelope.decorator.js';
import { envelopeErrorHandler } from '../common/api-exception.filter.js';
import { UPLOAD_ID_PARAM, uuidParam } from '../common/uuid-param.js';

export const BATCH_EVENTS_ROUTE = '/api/v1/videos/batch/:batchId/events';
export const UPLOAD_EVENTS_ROUTE = '/api/v1/videos/batch/events/:uploadId';
/** How long an EventSource waits before it reconnects (the stream's `retry:` field, milliseconds). */
const RECONNECT_MS = 2000;

interface EventsQuery {
  token?: string;
  lastEventId?: string;
}

export interface EventRouteDeps {
  verifier: JwtVerifier;
  tokens: AccessTokens;
  watchBatch: WatchBatch;
  settings: EventSettings;
}

export function mountEventRoutes(fastify: FastifyInstance, deps: EventRouteDeps): void {
  const open = new Set<AbortController>();
  // Before the server waits for its connections to end: streams never end by themselves.
  fastify.addHook('preClose', (done) => {
    for (const stream of open) stream.abort();
    done();
  });
  const errorHandler = envelopeErrorHandler(new Logger('EventsRoute'));
  fastify.route<{ Params: { batchId: string }; Querystring: EventsQuery }>({
    method: 'GET',
    url: BATCH_EVENTS_ROUTE,
    errorHandler,
    handler: async (request, reply) => {
      const batchId = uuidParam('batchId', request.params.batchId);
      const ownerId = await caller(deps, request, batchId);
      const watch = await deps.watchBatch.open({ ownerId, batchId, after: lastEventId(request) });
      stream(reply, watch, deps.settings, open);
    },
  });
  fastify.route<{ Params: { uploadId: string }; Querystring: EventsQuery }>({
    method: 'GET',
    url: UPLOAD_EVENTS_ROUTE,
    errorHandler,
    handler: async (request, reply) => {
      const uploadId = uuidParam('uploadId', request.params.uploadId);
      const auth = await callerScoped(deps, request);
      const watch = await deps.watchBatch.open({ ownerId: auth.ownerId, uploadId, after: lastEventId(request) });
      assertScope(auth.scope, watch.batchId);
      stream(reply, watch, deps.settings, open);
    },
  });
}

/** The caller's id; a query token must be one minted for `batchId`'s events. */
async function caller(deps: EventRouteDeps, request: FastifyRequest<{ Querystring: EventsQuery }>, batchId: string) {
  const auth = await callerScoped(deps, request);
  assertScope(auth.scope, batchId);
  return auth.ownerId;
}

/** The caller and, for a query token, the batch it was minted for (null for a JWT: any of the caller's). */
async function callerScoped(
  deps: EventRouteDeps,
  request: FastifyRequest<{ Querystring: EventsQuery }>,
): Promise<{ ownerId: string; scope: string | null }> {
  const { token } = request.query;
  if (request.headers.authorization !== undefined || token === undefined) {
    const user = await deps.verifier.authenticate(request.headers.authorization);
    return { ownerId: user.id, scope: null };
  }
  const { uploader, scope } = await deps.tokens.authenticateScoped(token, 'batch-events');
  return { ownerId: uploader.id, scope };
}

function assertScope(scope: string | null, batchId: string): void {
  if (scope !== null && scope !== batchId)
    throw new UploadError(UploadErrorCode.Unauthorized, 'the token was minted for the events of another batch');
}

function lastEventId(request: FastifyRequest<{ Querystring: EventsQuery }>): string | undefined {
  const header = request.headers['last-event-id'];
  return (Array.isArray(header) ? header[0] : header) || request.query.lastEventId || undefined;
}

/** Takes the answer over from Fastify and writes the events until the client leaves or the API stops. */
function stream(reply: FastifyReply, watch: BatchWatch, settings: EventSettings, open: Set<AbortController>): void {
  const controller = new AbortController();
  open.add(controller);
  reply.hijack();
  const raw = reply.raw;
  // The headers the onRequest hook set (security, CORS) are Fastify's to send, which it no longer does.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) headers[name] = String(value);
  raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    // The connection ends with the stream: a stream ended by a stopping API must not leave an idle
    // keep-alive connection for the server's close to wait on.
    connection: 'close',
  });
  raw.write(`retry: ${RECONNECT_MS}\n: batch ${watch.batchId}\n\n`);
  raw.on('close', () => controller.abort());
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), settings.heartbeatMs);
  void (async () => {
    try {
      for await (const logged of watch.events(controller.signal)) {
        if (!raw.write(formatEvent(logged))) await once(raw, 'drain', { signal: controller.signal });
      }
    } catch (error) {
      if (!controller.signal.aborted)
        new Logger('EventsRoute').warn(`event stream of batch ${watch.batchId} ended: ${(error as Error).message}`);
    } finally {
      clearInterval(heartbeat);
      open.delete(controller);
      raw.end();
    }
  })();
}

/** One Server-Sent Event: its JSON has no newline, so one `data:` line. */
export function formatEvent({ id, at, event }: LoggedBatchEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify({ ...event, at })}\n\n`;
}

/** The two routes' OpenAPI paths and operations. */
export const BATCH_EVENTS_OPENAPI_PATH = BATCH_EVENTS_ROUTE.replace(':batchId', '{batchId}');
export const UPLOAD_EVENTS_OPENAPI_PATH = UPLOAD_EVENTS_ROUTE.replace(':uploadId', '{uploadId}');

export function eventsOperation(of: 'batch' | 'upload'): OperationObject {
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDto) } } },
  });
  const idParam =
    of === 'batch'
      ? { name: 'batchId', description: 'batchId from init.', schema: { type: 'string' as const, format: 'uuid' } }
      : UPLOAD_ID_PARAM;
  return {
    operationId: of === 'batch' ? 'BatchEvents_batch' : 'BatchEvents_upload',
    summary:
      of === 'batch'
        ? 'Live events of a batch (Server-Sent Events): progress, chunk.failed, upload.completed, upload.aborted, ' +
          'processing.started, video.ready, video.failed, batch.completed'
        : "Live events of one upload (Server-Sent Events): the batch's events about it, and batch.completed",
    description:
      'A text/event-stream: each event has `id` (resume after it with Last-Event-ID), `event` (its type) and `data` ' +
      '(JSON with `type`, `batchId`, `at`, and the fields of its type); a comment line every EVENTS_HEARTBEAT_SECONDS. ' +
      'Without Last-Event-ID it starts with the first event of the batch. Authorization: a bearer JWT, or `token` ' +
      'from POST /api/v1/videos/batch/{batchId}/events/token (for EventSource, which sends no headers).',
    tags: ['events'],
    security: [{ bearer: [] }],
    parameters: [
      { in: 'path', required: true, ...idParam },
      {
        in: 'query',
        name: 'token',
        required: false,
        description: "A token minted for this batch's events (instead of the Authorization header).",
        schema: { type: 'string' },
      },
      {
        in: 'query',
        name: 'lastEventId',
        required: false,
        description: 'Resume after this event (as the Last-Event-ID header), e.g. 1764900000000-0.',
        schema: { type: 'string', pattern: '^\\d+-\\d+$' },
      },
      {
        in: 'header',
        name: 'Last-Event-ID',
        required: false,
        description: 'Resume after this event (EventSource sends it when it reconnects).',
        schema: { type: 'string' },
      },
    ],
    responses: {
      200: {
        description: 'The event stream; it stays open until the client leaves',
        content: { 'text/event-stream': { schema: { type: 'string' } } },
      },
      400: error(`${of === 'batch' ? 'batchId' : 'uploadId'} is not a UUID, or Last-Event-ID is no event id`),
      401: error('No valid JWT nor token, or a token minted for another batch'),
      404: error(of === 'batch' ? 'Unknown batch (or someone else’s)' : 'Unknown upload (or someone else’s)'),
      500: error('A fault of the server: error.details.errorId is in its log'),
    },
  };
}
