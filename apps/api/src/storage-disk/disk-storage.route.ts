import type { FastifyInstance } from 'fastify';
import { DISK_STORAGE_PATH, type DiskObjectStorage } from '#storage';

/**
 * The disk driver's "presigned" URLs land here. Its own scope takes any content type unparsed, so
 * that a PUT of video/mp4 bytes reaches the driver as a stream.
 */
export function mountDiskStorage(fastify: FastifyInstance, storage: DiskObjectStorage): void {
  void fastify.register((scope, _options, done) => {
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
        await storage.serve(req.raw, reply.raw);
      },
    });
    done();
  });
}
