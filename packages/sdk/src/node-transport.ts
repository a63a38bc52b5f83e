/**
 * Node's transport: node:http(s) with the exact Content-Length, the Blob's bytes streamed (never held
 * whole) and counted as the socket takes them. fetch cannot do this: with a stream body it sends
 * chunked encoding, which presigned part URLs refuse.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SendRequest, SendResult, Transport } from './transport.js';

export class NodeTransport implements Transport {
  async send({ method, url, body, headers = {}, signal, onProgress }: SendRequest): Promise<SendResult> {
    signal?.throwIfAborted();
    const target = new URL(url);
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
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sent += chunk.length;
        onProgress?.(sent);
        done(null, chunk);
      },
    });
    // A server that answers before reading the whole body (an error) ends the upload early: the
    // answer is what counts, so a broken pipe after it is ignored.
    const upload = pipeline(Readable.fromWeb(body.stream()), counter, request).catch((error: unknown) => error);
    const result = await answer;
    await upload;
    return result;
  }
}
