/**
 * Security headers, worked out once at startup and sent on every answer by one onRequest hook.
 *
 * - JSON answers get the set OWASP recommends for REST APIs: no caching (progress and presigned URLs
 *   are per user and short-lived), no framing, no content sniffing, HTTPS only, and a policy that lets
 *   the answer load nothing.
 * - Swagger UI (/docs) is an HTML page: it gets helmet's full set, with a policy that allows its own
 *   scripts and styles.
 *
 * Running helmet per request, as @fastify/helmet does, recomputes the same values every time: with its
 * twelve headers on every answer it was about a fifth of a progress poll's CPU.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** The headers helmet sets with these options (its middleware run once against a recorder). */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) =>
      void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failure: unknown;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error('helmet failed', { cause: failure });
  return headers;
}
