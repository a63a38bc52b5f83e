/**
 * Requests Node's HTTP parser refuses before Fastify sees a request (a malformed request line or header,
 * Content-Length beside Transfer-Encoding, a bad chunked encoding, headers over Node's 16 KiB) are answered
 * in the envelope too; Fastify's default handler answers them in a shape of its own. The connection is
 * closed after: its bytes can no longer be framed.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { httpErrorCode } from './api-exception.filter.js';
import { fail } from './envelope.js';

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  // A reset connection has no one left to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, message } = describe(error.code);
  const body = JSON.stringify(fail(httpErrorCode(status), message));
  if (socket.writable)
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  socket.destroy();
}

function describe(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'the request headers are too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'the request did not arrive in time' };
  return { status: 400, message: `malformed HTTP request${code ? ` (${code})` : ''}` };
}
