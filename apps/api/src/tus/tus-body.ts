/**
 * The body of a tus PATCH (or of a creation with upload) as a stream, without reading it: the raw
 * request, watched like a chunk's (common/body-watch.ts: idle timeout, a client that goes away, the rest
 * dropped before an early answer).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ChunkBody, TUS_CONTENT_TYPE, UploadError, UploadErrorCode } from '#uploads';
import { BodyWatch } from '../common/body-watch.js';

/** Whether the request carries its bytes as tus says (core protocol, "PATCH": Content-Type). */
export function hasTusBody(req: FastifyRequest): boolean {
  return req.headers['content-type']?.split(';')[0].trim().toLowerCase() === TUS_CONTENT_TYPE;
}

/** Throws UNSUPPORTED_MEDIA_TYPE (415) before reading a byte when the type is not application/offset+octet-stream. */
export function tusBody(req: FastifyRequest, reply: FastifyReply, idleTimeoutMs: number): ChunkBody {
  if (!hasTusBody(req)) {
    throw new UploadError(UploadErrorCode.UnsupportedMediaType, `send the bytes as ${TUS_CONTENT_TYPE}`, {
      contentType: req.headers['content-type'] ?? null,
    });
  }
  const watch = new BodyWatch(req.raw, reply, idleTimeoutMs);
  const value = req.headers['content-length'];
  const declared = value === undefined ? undefined : Number(value);
  return {
    stream: watch.track(watch.bytes),
    declaredLength: declared !== undefined && Number.isSafeInteger(declared) ? declared : undefined,
    discard: () => watch.discard(),
  };
}
