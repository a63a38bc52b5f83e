/**
 * The request id: the caller's X-Request-Id when it is a sensible one (a proxy's or a client's, so that
 * their logs and ours meet), else a new UUID. Answered in the response's X-Request-Id, written in every
 * log line of the request, and put in the processing job that completing an upload queues, so that the
 * worker's lines for that upload carry it too.
 */
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Letters, digits and `-_.:@`, 1 to 128 of them: what proxies and tracing headers send. */
const VALID = /^[\w.:@-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && VALID.test(header) ? header : randomUUID();
}
