/**
 * Turns a chunk request into a byte stream without reading it: a raw application/octet-stream body
 * as it arrives, or the `chunk` file field of multipart/form-data (as the seed's frontend sends it).
 */
import type { FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { UploadError, UploadErrorCode } from '../common/upload-error.js';
import type { ChunkBody } from './chunk.service.js';

export async function chunkBody(req: FastifyRequest, maxChunkSize: number): Promise<ChunkBody> {
  const requestLength = contentLength(req);
  if (requestLength !== undefined && requestLength === 0) {
    throw new UploadError(UploadErrorCode.ChunkLengthMismatch, 'the chunk body is empty', { received: 0 });
  }
  if (req.isMultipart()) {
    const file = await req.file({ limits: { fileSize: maxChunkSize, files: 1, fields: 10, parts: 20 } });
    if (!file || file.fieldname !== 'chunk') {
      file?.file.resume();
      throw new UploadError(UploadErrorCode.ValidationFailed, 'form-data must carry the chunk as a file field named "chunk"', { fields: [{ field: 'chunk', problems: ['chunk file is required'] }] });
    }
    return { stream: file.file, requestLength };
  }
  if (req.headers['content-type']?.split(';')[0].trim().toLowerCase() === 'application/octet-stream') {
    if (requestLength !== undefined && requestLength > maxChunkSize) {
      throw new UploadError(UploadErrorCode.ChunkTooLarge, `a chunk may have at most ${maxChunkSize} bytes`, { limit: maxChunkSize, received: requestLength });
    }
    return { stream: req.body as Readable, declaredLength: requestLength };
  }
  throw new UploadError(UploadErrorCode.UnsupportedMediaType, 'send the chunk as application/octet-stream or as multipart/form-data with a "chunk" field', { contentType: req.headers['content-type'] ?? null });
}

function contentLength(req: FastifyRequest): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}
