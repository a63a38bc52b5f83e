/**
 * Builds the HTTP app: Fastify, the envelope, validation, streaming body parsers, the disk driver's
 * signed-URL route and the OpenAPI document. main.ts listens; scripts/openapi.ts only reads the document.
 */
import compress from '@fastify/compress';
import type { IncomingMessage, Server } from 'node:http';
import { Logger, UnsupportedMediaTypeException } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, getSchemaPath, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '#config';
import { collectProcessMetrics, installLogger, REQUEST_ID_HEADER, requestIdFrom } from '#observability';
import { DISK_STORAGE_PATH, DiskObjectStorage, InstrumentedObjectStorage, ObjectStorage } from '#storage';
import { AccessTokens, ReadProgress, WatchBatch } from '#uploads';
import { AppModule } from './app.module.js';
import { JwtVerifier } from './auth/jwt-verifier.js';
import { ErrorEnvelopeDto } from './common/api-envelope.decorator.js';
import { ApiExceptionFilter, errorResponse } from './common/api-exception.filter.js';
import { answerClientError, refuseExpectation } from './common/client-errors.js';
import { actualRequestCors, answerPreflights } from './common/cors.js';
import { EnvelopeInterceptor } from './common/envelope.interceptor.js';
import { jsonBodyText } from './common/json-body.js';
import { API_SECURITY_HEADERS, helmetHeaders } from './common/security-headers.js';
import { streamsBody } from './common/streaming.js';
import { createValidationPipe } from './common/validation.js';
import { observeRequests } from './common/request-observer.js';
import { mountMetricsRoute } from './metrics/metrics.route.js';
import { timeOutIdleBodies } from './common/body-idle.js';
import { mountDemo } from './demo/demo.route.js';
import { mountDiskStorage } from './storage-disk/disk-storage.route.js';
import { isUppyFormUrl, mountUppyStatusText } from './uppy/uppy-status-text.hooks.js';
import { mountTusProtocol, TUS_PATH, tusDiscoveryHeaders, tusMethodOverride } from './tus/tus-protocol.hooks.js';
import { CHUNK_OPENAPI_PATH, CHUNK_REQUEST_BODY } from './videos-batch/chunk-body.js';
import {
  BATCH_EVENTS_OPENAPI_PATH,
  eventsOperation,
  mountEventRoutes,
  UPLOAD_EVENTS_OPENAPI_PATH,
} from './videos-batch/events.route.js';
import {
  mountProgressRoute,
  PROGRESS_MODELS,
  PROGRESS_OPENAPI_PATH,
  progressOperation,
} from './videos-batch/progress.route.js';

/** JSON bodies are small (init takes 5 file descriptions); chunks never go through the JSON parser. */
const JSON_BODY_LIMIT = 256 * 1024;
/** Swagger UI loads its own scripts and inline styles from this origin. */
const SWAGGER_UI_CSP = {
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'unsafe-inline'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
  },
};
/** The routes that take a body other than JSON: the chunk route, tus, and the disk driver's part URLs (any type). */
const STREAMING_ROUTES = ['/api/v1/videos/batch/chunk/', TUS_PATH, `${DISK_STORAGE_PATH}?`];
/** Also the form Uppy's S3 plugin posts for a file sent whole (uppy/uppy-form.controller.ts). */
const isStreamingRoute = (url: string) => STREAMING_ROUTES.some((route) => url.startsWith(route)) || isUppyFormUrl(url);
/** Longest path parameter the router takes (Fastify's maxParamLength): a longer one answers 414. */
const MAX_PARAM_LENGTH = 100;
/** Swagger UI and the OpenAPI document (docs-json). */
const DOCS_PATH = '/docs';

export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = installLogger({ app: 'api', level: config.logLevel, format: config.logFormat });
  collectProcessMetrics();
  // No Nest middleware and no upload interceptors here: middie and @fastify/multipart would only add
  // hooks to every request.
  const corsHeaders = actualRequestCors(config.cors.origins);
  // The router refuses a malformed URL (400) or an over-long parameter (414) before any hook runs: the
  // answer gets the envelope and the headers here.
  const routerErrors = new Logger('Router');
  const frameworkErrors = (error: Error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = errorResponse(error, routerErrors, request);
    void reply.headers(API_SECURITY_HEADERS).headers(corsHeaders(request.headers.origin)).status(status).send(body);
  };
  const adapter = new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT,
    maxParamLength: MAX_PARAM_LENGTH,
    trustProxy: true,
    requestTimeout: 0,
    skipMiddie: true,
    multipart: false,
    frameworkErrors,
    clientErrorHandler: answerClientError,
    rewriteUrl: tusMethodOverride,
    // A request that races the shutdown on a kept-alive connection is served (with `Connection: close`),
    // not answered Fastify's bare 503, which carries no CORS headers: a browser could not read it, and Uppy
    // fails the file on it ("Failed to fetch") instead of retrying elsewhere.
    return503OnClosing: false,
    // X-Request-Id: the caller's when valid, else a new one (request-observer.ts answers it).
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers[REQUEST_ID_HEADER]),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger,
    abortOnError: false,
  });
  // Fetch wrappers send `Content-Type: application/json` on a POST without a body: a route that takes
  // no body (retry, complete) takes that too; an empty init still fails validation. Any other body must
  // be UTF-8, not too deep and not too wide (json-body.ts), then is Fastify's own JSON parsing (prototype
  // poisoning refused).
  const fastify: FastifyInstance = app.getHttpAdapter().getInstance();
  const fastifyJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<Server>('application/json', { bodyLimit: JSON_BODY_LIMIT }, (request, body, done) => {
    // Nest hands a synchronous throw (jsonBodyText's 400) to `done`.
    if (body.length === 0) done(null, undefined);
    else void fastifyJson(request, jsonBodyText(body), done);
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalInterceptors(new EnvelopeInterceptor());
  app.enableShutdownHooks();
  // Node answers an Expect header other than 100-continue itself, with no body (client-errors.ts).
  fastify.server.on('checkExpectation', refuseExpectation);

  // CORS (common/cors.ts) on Fastify itself rather than through app.enableCors(), which runs
  // @fastify/cors's hook on every request and then copies its headers onto the raw response.
  // Browsers PUT to the disk driver's URLs on this origin too.
  // OPTIONS of the tus URLs is tus discovery too (tus-protocol.hooks.ts).
  await answerPreflights(fastify, config.cors.origins, {
    prefix: TUS_PATH,
    headers: tusDiscoveryHeaders(config.upload),
  });
  // Chunks stream: the chunk route gets the unread request as its body, raw or a form (read by busboy in
  // chunk-body.ts). Only the streaming routes take bodies other than JSON, so a stream or form sent
  // anywhere else is refused before a byte is read.
  fastify.addContentTypeParser(
    ['application/octet-stream', 'application/offset+octet-stream', 'multipart/form-data'],
    (_req, payload, done) => done(null, payload),
  );
  observeRequests(fastify);
  const docsHeaders = helmetHeaders({ contentSecurityPolicy: SWAGGER_UI_CSP });
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply
      .header(REQUEST_ID_HEADER, req.id)
      .headers(req.url.startsWith(DOCS_PATH) ? docsHeaders : API_SECURITY_HEADERS)
      .headers(corsHeaders(req.headers.origin));
    const refused = streamsBody(req.headers['content-type']) && !isStreamingRoute(req.url);
    done(refused ? new UnsupportedMediaTypeException('this route takes application/json') : undefined);
  });

  mountTusProtocol(fastify);
  mountUppyStatusText(fastify);
  timeOutIdleBodies(fastify, config.http.bodyIdleTimeoutMs, isStreamingRoute);
  mountProgressRoute(fastify, app.get(JwtVerifier), app.get(ReadProgress));
  // Before compression is registered: an event stream must go out as it is written.
  mountEventRoutes(fastify, {
    verifier: app.get(JwtVerifier),
    tokens: app.get(AccessTokens),
    watchBatch: app.get(WatchBatch),
    settings: config.events,
  });
  const measured = app.get(ObjectStorage);
  const storage = measured instanceof InstrumentedObjectStorage ? measured.inner : measured;
  if (storage instanceof DiskObjectStorage) mountDiskStorage(fastify, storage, config.http.bodyIdleTimeoutMs);
  if (config.demo.enabled) mountDemo(fastify, config);
  // On the API port only with a token; with METRICS_PORT, main.ts serves /metrics on that port instead.
  if (config.metrics.port === 0 && config.metrics.token) mountMetricsRoute(fastify, config.metrics.token);
  // Answers of 1 KiB or more go out gzip-compressed to clients that accept it, as browsers do: init's
  // part URLs for 5 files of 1,000 parts are 2.4 MB of JSON and 0.22 MB gzipped. Level 1: level 6 takes
  // twice the CPU for 2 % less. Large answers are compressed on libuv's threads, off the event loop.
  // Registered here, its hooks go on the routes made after it (Nest's and the docs), not on the disk
  // driver's (video bytes) nor the progress route's (small answers).
  await fastify.register(compress, {
    globalCompression: true,
    globalDecompression: false,
    encodings: ['gzip', 'deflate'],
    zlibOptions: { level: 1 },
    threshold: 1024,
  });
  SwaggerModule.setup(DOCS_PATH.slice(1), app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Reelay batch video upload API')
    .setDescription(
      'Upload up to 5 videos in one batch: presigned PUT URLs (one per file up to 150 MiB, one per part above), ' +
        'or chunks through the API; progress, retry of failed chunks, and completion into a Video. ' +
        'Every answer is { success: true, data } or { success: false, error: { code, message, details } }.',
    )
    .setVersion('1.0.0')
    .addTag('videos-batch', 'Batch upload of videos')
    .addTag('videos', 'Videos after upload')
    .addTag('tus', 'Resumable uploads with the tus 1.0.0 protocol (any tus client: tus-js-client, Uppy)')
    .addTag('events', 'Live events of a batch (Server-Sent Events), and the token EventSource opens them with')
    .addTag('webhooks', 'Endpoints that receive your events, signed in the Standard Webhooks format')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'A token from the platform (sub = user id, channels = channel ids the user may upload to). For development: npm run token -- --user alice --channels 123',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: PROGRESS_MODELS });
  document.paths[PROGRESS_OPENAPI_PATH] = { get: progressOperation() };
  document.paths[BATCH_EVENTS_OPENAPI_PATH] = { get: eventsOperation('batch') };
  document.paths[UPLOAD_EVENTS_OPENAPI_PATH] = { get: eventsOperation('upload') };
  const chunk = document.paths[CHUNK_OPENAPI_PATH]?.post;
  if (chunk) chunk.requestBody = CHUNK_REQUEST_BODY;
  declareRouterRefusals(document);
  return document;
}

/**
 * Every operation with a path parameter also answers 414 BAD_REQUEST: the router refuses a parameter over
 * MAX_PARAM_LENGTH characters before any route runs (frameworkErrors above gives it the envelope).
 */
function declareRouterRefusals(document: OpenAPIObject): void {
  for (const [path, operations] of Object.entries(document.paths)) {
    if (!path.includes('{')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const) {
      const responses = operations[method]?.responses;
      if (responses)
        responses['414'] ??= {
          description: `A path parameter over ${MAX_PARAM_LENGTH} characters (the router refuses it before the route)`,
          content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorEnvelopeDto) } } },
        };
    }
  }
}
