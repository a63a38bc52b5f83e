/**
 * A chunk request whose body the test writes piece by piece, as a slow, stalled or vanishing client
 * would: raw (application/octet-stream) or as multipart/form-data with the bytes in its "chunk" field.
 * Each request has a connection of its own, so that a reset or a close is seen as the client sees it.
 */
import { request, type ClientRequest } from 'node:http';
import type { ApiBody } from './api-client.js';

export interface ChunkAnswer {
  status?: number;
  body?: ApiBody;
  /** The server said it closes the connection after this answer. */
  closes?: boolean;
  /** What broke the request before an answer arrived (ECONNRESET, EPIPE, ...). */
  error?: string;
}

const BOUNDARY = 'reelay-test-boundary';
const FORM_HEAD = Buffer.from(
  `--${BOUNDARY}\r\ncontent-disposition: form-data; name="chunk"; filename="c.bin"\r\n` +
    'content-type: application/octet-stream\r\n\r\n',
);
const FORM_TAIL = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);

export class ChunkRequest {
  /** Resolves with the answer, or with the error that ended the request without one. */
  readonly answer: Promise<ChunkAnswer>;
  private readonly req: ClientRequest;
  private answered = false;

  /** @param length bytes of chunk the body will carry (the form's framing is added around them) */
  constructor(
    baseUrl: string,
    token: string,
    path: { uploadId: string; index: number },
    length: number,
    private readonly form = false,
  ) {
    const url = new URL(`${baseUrl}/api/v1/videos/batch/chunk/${path.uploadId}/${path.index}`);
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': form ? `multipart/form-data; boundary=${BOUNDARY}` : 'application/octet-stream',
      'content-length': String(form ? FORM_HEAD.length + length + FORM_TAIL.length : length),
    };
    this.req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers,
      agent: false,
    });
    this.answer = new Promise((resolve) => {
      this.req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      this.req.once('response', (res) => {
        this.answered = true;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
        res.once('end', () =>
          resolve({
            status: res.statusCode,
            body: JSON.parse(text) as ApiBody,
            closes: res.headers.connection === 'close',
          }),
        );
      });
    });
    if (form) this.req.write(FORM_HEAD);
  }

  get hasAnswer(): boolean {
    return this.answered;
  }

  /** Writes bytes of the chunk; resolves once they are handed to the socket (or the request ended). */
  write(bytes: Buffer): Promise<void> {
    if (this.req.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.req.once('close', resolve);
      this.req.write(bytes, () => {
        this.req.off('close', resolve);
        resolve();
      });
    });
  }

  /** Ends the body (the form's closing boundary included). */
  end(): void {
    if (this.req.destroyed) return;
    if (this.form) this.req.write(FORM_TAIL);
    this.req.end();
  }

  /** The client goes away mid-body: its connection is destroyed. */
  abort(): void {
    this.req.destroy();
  }
}
