/**
 * Uppy's Companion client shows a failed call as `Companion request failed: <statusText>`, and reads
 * nothing else of the answer (`S3Companion._fetch` in @uppy/aws-s3 6). On Uppy's routes an error therefore
 * also goes out with the envelope's code and message as its reason phrase, so that the user sees
 * `Companion request failed: CHANNEL_FORBIDDEN: you may not upload to channel 9` rather than `Forbidden`.
 * A reason phrase is free text in HTTP/1.1 (RFC 9112 section 4, reason-phrase: HTAB, SP, VCHAR, obs-text);
 * HTTP/2 has none, and the browser then shows the status alone.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hookRoutes } from '../common/route-hooks.js';

/** Where Uppy posts a file sent whole (uppy-form.controller.ts); the query names the upload and the token. */
export const UPPY_FORM_PATH = '/api/v1/videos';

/** Whether `url` is the form's (with or without its query). */
export const isUppyFormUrl = (url: string) => url === UPPY_FORM_PATH || url.startsWith(`${UPPY_FORM_PATH}?`);

/** The Companion routes, and the form a file sent whole is posted to. */
export function isUppyRequest(req: Pick<FastifyRequest, 'method' | 'url'>): boolean {
  return req.url.startsWith('/api/v1/uppy/') || (req.method === 'POST' && isUppyFormUrl(req.url));
}

const REASON_LENGTH = 200;

/** `CODE: message` of an envelope's error, in visible ASCII, or undefined when the payload is not one. */
export function reasonPhrase(payload: unknown): string | undefined {
  if (typeof payload !== 'string' || !payload.startsWith('{"success":false')) return undefined;
  try {
    const { error } = JSON.parse(payload) as { error?: { code?: unknown; message?: unknown } };
    if (typeof error?.code !== 'string' || typeof error.message !== 'string') return undefined;
    return `${error.code}: ${error.message}`.replace(/[^\x20-\x7e]/g, '?').slice(0, REASON_LENGTH);
  } catch {
    return undefined;
  }
}

/** On Uppy's routes (not on every route: a hook that runs for every answer costs every poll its CPU). */
export function mountUppyStatusText(fastify: FastifyInstance): void {
  hookRoutes(
    fastify,
    'onSend',
    (route) => [route.method].flat().some((method) => isUppyRequest({ method, url: route.url })),
    (_req, reply, payload, done) => {
      if (reply.statusCode >= 400) {
        const reason = reasonPhrase(payload);
        if (reason) reply.raw.statusMessage = reason;
      }
      done(null, payload);
    },
  );
}
