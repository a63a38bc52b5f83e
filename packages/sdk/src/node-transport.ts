/**
 * Node's transport: node:http(s) with the exact Content-Length, the Blob's bytes streamed (never held
 * whole) and counted as the socket takes them. fetch cannot do this: with a stream body it sends
 * chunked encoding, which presigned part URLs refuse.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SendRequest, SendResult, Transport } from './transport.js';

export interface NodeTransportOptions {
  /** Caps the bytes per second of every send together (e.g. to leave bandwidth to others); none by default. */
  maxBytesPerSecond?: number;
}

export class NodeTransport implements Transport {
  private readonly pace?: Pace;

  constructor(options: NodeTransportOptions = {}) {
    if (options.maxBytesPerSecond) this.pace = new Pace(options.maxBytesPerSecond);
  }

  async send({ method, url, body, headers = {}, signal, onProgress }: SendRequest): Promise<SendResult> {
    const target = new URL(url);
    const open = await opener(body);
    signal?.throwIfAborted();
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method,
      headers: { ...headers, 'content-length': String(body.size) },
      signal,
    });
    const answer = new Promise<SendResult>((resolve, reject) => {
      request.once('response', (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.once('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            etag: typeof res.headers.etag === 'string' ? res.headers.etag : undefined,
            body: Buffer.concat(parts).toString('utf8'),
          }),
        );
        res.once('error', reject);
      });
      request.once('error', reject);
    });
    let sent = 0;
    const count = (chunk: Buffer) => {
      sent += chunk.length;
      onProgress?.(sent);
    };
    const source = open();
    // A server that answers before reading the whole body (an error) ends the upload early: the
    // answer is what counts, so a broken pipe after it is ignored.
    const upload = (this.pace ? pipeline(source, paced(this.pace, count), request) : pipeline(source, request)).catch(
      (error: unknown) => error,
    );
    // Unpaced, bytes are counted as the source hands them to the request: a Transform stage between the
    // two, only to count, cost CPU for every piece.
    if (!this.pace && onProgress) source.on('data', count);
    let result: SendResult;
    try {
      result = await answer;
    } finally {
      // No answer, or a refusal sent before the whole body was read: the rest of the body must not
      // wait for a server that stopped reading (it would never drain).
      if (request.writableFinished === false) request.destroy();
    }
    await upload;
    return result;
  }
}

/** A stage that holds each piece back as long as the pace says, then counts it and lets it go. */
function paced(pace: Pace, count: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const go = () => {
        count(chunk);
        done(null, chunk);
      };
      const wait = pace.delayFor(chunk.length);
      if (wait > 0) setTimeout(go, wait);
      else go();
    },
  });
}

/** Where a Blob of fileFromPath's lies on disk, and the file's size and modification time then. */
interface FileRange {
  path: string;
  start: number;
  fileSize: number;
  mtimeMs: number;
}

const fileRanges = new WeakMap<Blob, FileRange>();
/** Reads of a file range: 1 MiB, where a file Blob's stream hands out 64 KiB pieces. */
const FILE_READ_BYTES = 1024 * 1024;

/**
 * Marks `blob` as bytes `start` onwards of the file at `path` (as it was when stat'ed), so that send reads
 * it with fs.createReadStream: Blob.stream() yields 64 KiB pieces through a web stream, and with every
 * piece counted and reported that cost the upload about twice the CPU of a plain read stream.
 */
export function fileRangeBlob(blob: Blob, range: FileRange): Blob {
  fileRanges.set(blob, range);
  return blob;
}

/**
 * How to read the body: the file range with a read stream, or the Blob's own stream for any other Blob and
 * for a file changed since (that stream then fails, as it does for a changed file).
 */
async function opener(body: Blob): Promise<() => Readable> {
  const range = fileRanges.get(body);
  const now = range && body.size > 0 ? await stat(range.path).catch(() => null) : null;
  if (!range || !now || now.size !== range.fileSize || now.mtimeMs !== range.mtimeMs)
    return () => Readable.fromWeb(body.stream());
  return () =>
    createReadStream(range.path, {
      start: range.start,
      end: range.start + body.size - 1,
      highWaterMark: FILE_READ_BYTES,
    });
}

/** Spaces the bytes of all sends out so that together they stay under a rate (bytes per second). */
class Pace {
  private nextSlot = 0;
  constructor(private readonly bytesPerSecond: number) {}

  /** Milliseconds to hold `bytes` back before they may go. */
  delayFor(bytes: number): number {
    const now = Date.now();
    const start = Math.max(now, this.nextSlot);
    this.nextSlot = start + (bytes * 1000) / this.bytesPerSecond;
    return start - now;
  }
}
