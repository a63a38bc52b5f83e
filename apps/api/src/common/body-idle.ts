/**
 * An idle timeout for the JSON bodies Fastify reads (init, retry, and any body sent to another route):
 * a body that sends nothing for HTTP_BODY_IDLE_TIMEOUT_MS is answered 408 REQUEST_TIMEOUT in the
 * envelope and its connection closed, instead of holding a socket forever (the server has no overall
 * request timeout, so that long chunk uploads can run). Chunks and the disk driver's PUTs watch their own
 * bodies as they stream them (common/body-watch.ts).
 */
import { Transform } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { UploadError, UploadErrorCode } from '#uploads';
import { hookRoutes, takesBody } from './route-hooks.js';

export function timeOutIdleBodies(
  fastify: FastifyInstance,
  idleTimeoutMs: number,
  streamsItself: (url: string) => boolean,
): void {
  // On the routes whose method has a body only: a GET (the progress poll) runs no hook for it.
  hookRoutes(fastify, 'preParsing', takesBody, (request, reply, payload, done) => {
    const hasBody =
      request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    if (!hasBody || streamsItself(request.url)) return done(null, payload);
    const watched = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        timer.refresh();
        next(null, chunk);
      },
    });
    const timer = setTimeout(() => {
      void reply.header('connection', 'close');
      watched.destroy(
        new UploadError(UploadErrorCode.RequestTimeout, `the request body sent nothing for ${idleTimeoutMs} ms`, {
          idleTimeoutMs,
        }),
      );
    }, idleTimeoutMs);
    watched.once('close', () => clearTimeout(timer));
    payload.once('end', () => clearTimeout(timer));
    payload.on('error', (error) => watched.destroy(error));
    payload.pipe(watched);
    done(null, watched);
  });
}
