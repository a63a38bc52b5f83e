/**
 * Requests Node refuses before Fastify sees a request are answered in the envelope too: those its HTTP
 * parser refuses (a malformed request line or header, Content-Length beside Transfer-Encoding, a bad
 * chunked encoding, headers over Node's 16 KiB), which Fastify's default handler answers in a shape of its
 * own and after which the connection is closed (its bytes can no longer be framed), and an Expect header
 * other than 100-continue, which Node answers 417 with no body.
 */
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
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

/** For the server's 'checkExpectation' event: an expectation the server cannot meet (RFC 9110 10.1.1). */
export function refuseExpectation(_req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify(fail(httpErrorCode(417), 'the only expectation met is "Expect: 100-continue"'));
  res
    .writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    })
    .end(body);
}

function describe(code: string | undefined): { status: number; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, message: 'the request headers are too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'the request did not arrive in time' };
  return { status: 400, message: `malformed HTTP request${code ? ` (${code})` : ''}` };
}
