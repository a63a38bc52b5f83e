/**
 * The demo page at /demo (DEMO_PAGE; on by default outside production): a page that uploads with the
 * SDK, served with the SDK's browser build at /demo/sdk/. GET /demo/token hands out a development token
 * only while the development secret is in use (no AUTH_JWT_SECRET, not production); 404 otherwise.
 *
 * The page's policy lets it load only its own files and talk only to the API and to storage (part PUTs,
 * thumbnails), instead of the API's `default-src 'none'`.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { type AppConfig, DEVELOPMENT_JWT_SECRET } from '#config';

export const DEMO_PATH = '/demo';
/** The page's files: HTML, CSS and plain ES modules, served as they are. */
const PAGE_ROOT = fileURLToPath(new URL('../../../../../packages/demo/', import.meta.url));
/** The SDK as `npm run build` compiles it (dist/packages/sdk/src): ES modules with relative imports only. */
const SDK_ROOT = fileURLToPath(new URL('../../../../packages/sdk/src/', import.meta.url));
/** Lifetime of a development token (seconds). */
const TOKEN_TTL_SECONDS = 3600;

export function mountDemo(fastify: FastifyInstance, config: AppConfig): void {
  const headers = {
    'content-security-policy': demoPolicy(config),
    'cache-control': 'no-cache',
  };
  void fastify.register(async (scope) => {
    scope.addHook('onRequest', (_req, reply, done) => {
      void reply.headers(headers);
      done();
    });
    scope.get(DEMO_PATH, (_req, reply) => reply.redirect(`${DEMO_PATH}/`));
    scope.get(`${DEMO_PATH}/token`, async (_req, reply) => {
      if (!config.demo.developmentTokens)
        return reply.status(404).send({
          success: false,
          error: { code: 'NOT_FOUND', message: 'development tokens are off (AUTH_JWT_SECRET is set)', details: null },
        });
      return { success: true, data: { token: await developmentToken(config), expiresInSeconds: TOKEN_TTL_SECONDS } };
    });
    await scope.register(fastifyStatic, {
      root: SDK_ROOT,
      prefix: `${DEMO_PATH}/sdk/`,
      decorateReply: false,
      index: false,
      allowedPath: (path) => path.endsWith('.js') && !path.includes('/generated/'),
    });
    await scope.register(fastifyStatic, {
      root: PAGE_ROOT,
      prefix: `${DEMO_PATH}/`,
      decorateReply: false,
      index: 'index.html',
    });
  });
}

async function developmentToken(config: AppConfig): Promise<string> {
  return new SignJWT({ channels: '*' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('demo-user')
    .setIssuer(config.auth.issuer)
    .setAudience(config.auth.audience)
    .setIssuedAt()
    .setExpirationTime(`${TOKEN_TTL_SECONDS}s`)
    .sign(new TextEncoder().encode(DEVELOPMENT_JWT_SECRET));
}

/** Its own files; the API (same origin) and storage for part PUTs and thumbnails. */
function demoPolicy(config: AppConfig): string {
  const storage = storageOrigins(config);
  return [
    "default-src 'self'",
    `connect-src 'self'${storage}`,
    `img-src 'self' data: blob:${storage}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Where presigned URLs point (the S3 endpoint browsers use, with its bucket subdomains), each after a space. */
function storageOrigins(config: AppConfig): string {
  if (config.storage.driver !== 's3') return '';
  const { endpoint, publicEndpoint, forcePathStyle } = config.storage.s3;
  const base = publicEndpoint ?? endpoint;
  if (!base) return ' https://*.amazonaws.com';
  const url = new URL(base);
  return forcePathStyle ? ` ${url.origin}` : ` ${url.origin} ${url.protocol}//*.${url.host}`;
}
