/**
 * Turns a chunk request into a byte stream without reading it: a raw application/octet-stream body
 * as it arrives, or the `chunk` file field of multipart/form-data (as the seed's frontend sends it).
 */
import { Busboy, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { type ChunkBody, UploadError, UploadErrorCode } from '#uploads';
import { BodyWatch } from '../common/body-watch.js';

/** A form carries the chunk and perhaps a few small fields (a filename, an index); nothing more. */
const FORM_LIMITS = { files: 1, fields: 10, parts: 20 };

export interface ChunkLimits {
  /** Bytes; a larger chunk is refused with CHUNK_TOO_LARGE. */
  maxChunkSize: number;
  /** Milliseconds a body may send nothing while the API waits for it (then REQUEST_TIMEOUT). */
  idleTimeoutMs: number;
  /** The form's file field that holds the bytes: `chunk` by default (Uppy's form POST names it `file`). */
  formField?: string;
}

/**
 * The chunk of a request, for ReceiveChunk. Throws UploadError before reading a byte: CHUNK_LENGTH_MISMATCH
 * (empty body), UNSUPPORTED_MEDIA_TYPE, CHUNK_TOO_LARGE (Content-Length), and for a form VALIDATION_FAILED
 * (no "chunk" file, malformed form) or REQUEST_TIMEOUT; the body is then dropped, not left unread.
 */
export async function chunkBody(req: FastifyRequest, reply: FastifyReply, limits: ChunkLimits): Promise<ChunkBody> {
  const requestLength = contentLength(req);
  if (requestLength !== undefined && requestLength === 0) {
    throw new UploadError(UploadErrorCode.ChunkLengthMismatch, 'the chunk body is empty', { received: 0 });
  }
  const type = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
  const form = type === 'multipart/form-data';
  if (!form && type !== 'application/octet-stream') {
    throw new UploadError(
      UploadErrorCode.UnsupportedMediaType,
      'send the chunk as application/octet-stream or as multipart/form-data with a "chunk" field',
      { contentType: req.headers['content-type'] ?? null },
    );
  }
  if (!form && requestLength !== undefined && requestLength > limits.maxChunkSize) {
    throw tooLarge(limits.maxChunkSize, requestLength);
  }
  const watch = new BodyWatch(req.raw, reply, limits.idleTimeoutMs);
  const discard = () => watch.discard();
  if (!form) return { stream: watch.track(watch.bytes), declaredLength: requestLength, discard };
  try {
    const field = limits.formField ?? 'chunk';
    return { stream: watch.track(await formChunk(req, watch, limits.maxChunkSize, field)), requestLength, discard };
  } catch (error) {
    await discard();
    throw error;
  }
}

/**
 * The form's `chunk` file as a stream, read from the request as the caller reads it (busboy). Fields
 * before it are skipped; a form that ends without it is a 400.
 */
function formChunk(req: FastifyRequest, watch: BodyWatch, maxChunkSize: number, field: string): Promise<Readable> {
  let form: BusboyInstance;
  try {
    form = new Busboy({ headers: req.headers as BusboyHeaders, limits: { ...FORM_LIMITS, fileSize: maxChunkSize } });
  } catch (error) {
    return Promise.reject(malformed(error, field));
  }
  return new Promise((resolve, reject) => {
    let chunk: Readable | undefined;
    watch.whenFailed((error) => !chunk && reject(error));
    form.on('file', (name: string, file: Readable) => {
      // A form cut short makes busboy fail its file stream, which nobody reads when the file is skipped or
      // the chunk was refused before a byte was read (unknown upload, wrong length): an unheard 'error'
      // would end the process. Whoever reads the chunk listens for its errors too.
      file.on('error', () => undefined);
      if (name !== field || chunk) return void file.resume();
      chunk = file;
      file.once('limit', () => file.destroy(tooLarge(maxChunkSize)));
      resolve(file);
    });
    form.once('error', (error: unknown) =>
      chunk ? chunk.destroy(malformed(error, field)) : reject(malformed(error, field)),
    );
    form.once('finish', () => {
      if (!chunk)
        reject(
          new UploadError(
            UploadErrorCode.ValidationFailed,
            `form-data must carry the bytes as a file field named "${field}"`,
            { fields: [{ field, problems: [`${field} file is required`] }] },
          ),
        );
    });
    watch.bytes.pipe(form);
  });
}

function tooLarge(maxChunkSize: number, received?: number): UploadError {
  return new UploadError(
    UploadErrorCode.ChunkTooLarge,
    `a chunk may have at most ${maxChunkSize} bytes`,
    received === undefined ? { limit: maxChunkSize } : { limit: maxChunkSize, received },
  );
}

function malformed(error: unknown, field: string): UploadError {
  return new UploadError(
    UploadErrorCode.ValidationFailed,
    `malformed form-data: ${(error as Error)?.message ?? String(error)}`,
    { fields: [{ field, problems: ['form-data could not be read'] }] },
  );
}

function contentLength(req: FastifyRequest): number | undefined {
  const value = req.headers['content-length'];
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export const CHUNK_OPENAPI_PATH = '/api/v1/videos/batch/chunk/{uploadId}/{chunkIndex}';

/**
 * The chunk route's body as OpenAPI describes it: one schema per content type, so that a generated
 * client sends the bytes raw as application/octet-stream, or a form with the bytes in its `chunk` field
 * (Nest's @ApiBody can only give every content type the same schema).
 */
export const CHUNK_REQUEST_BODY = {
  required: true,
  description: "The chunk's exact bytes: bytes [i*chunkSize, min(size, (i+1)*chunkSize)) of the file",
  content: {
    'application/octet-stream': { schema: { type: 'string' as const, format: 'binary' } },
    'multipart/form-data': {
      schema: {
        type: 'object' as const,
        required: ['chunk'],
        properties: {
          chunk: { type: 'string' as const, format: 'binary', description: "The chunk's bytes, as a file field" },
        },
      },
    },
  },
};
