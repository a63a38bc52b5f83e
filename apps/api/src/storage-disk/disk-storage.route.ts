import { Logger } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { DISK_STORAGE_PATH, type DiskObjectStorage } from '#storage';
import { envelopeErrorHandler, logServerError } from '../common/api-exception.filter.js';

/**
 * The disk driver's "presigned" URLs land here. Its own scope takes any content type unparsed, so
 * that a PUT of video/mp4 bytes reaches the driver as a stream. The driver answers its own errors; a 500
 * (a disk that fails) carries an error id, logged here like every other 500.
 */
export function mountDiskStorage(fastify: FastifyInstance, storage: DiskObjectStorage, idleTimeoutMs: number): void {
  const logger = new Logger('DiskStorageRoute');
  void fastify.register((scope, _options, done) => {
    scope.setErrorHandler(envelopeErrorHandler(logger));
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, _payload, done) => done(null));
    scope.route({
      method: ['PUT', 'GET', 'HEAD'],
      url: DISK_STORAGE_PATH,
      handler: async (req, reply) => {
        // Hijacking skips Fastify's reply pipeline: carry over the headers its hooks set (CORS).
        for (const [name, value] of Object.entries(reply.getHeaders()))
          if (value !== undefined) reply.raw.setHeader(name, value);
        reply.hijack();
        // A client that sends (or reads) nothing for the idle time loses its connection: the driver then
        // drops the partial part and its temporary file, as for any client that goes away.
        // The socket outlives the request (keep-alive): its listener goes with the request, or each PUT on
        // the connection would add one more.
        const socket = req.raw.socket;
        const onIdle = () => socket.destroy();
        socket.setTimeout(idleTimeoutMs);
        socket.on('timeout', onIdle);
        try {
          await storage.serve(req.raw, reply.raw, (error, errorId) => logServerError(logger, errorId, req, error));
        } finally {
          socket.setTimeout(0);
          socket.off('timeout', onIdle);
        }
      },
    });
    done();
  });
}
