/**
 * Watches a streamed request body (a chunk, a tus PATCH) while the use case streams it to storage, for
 * the three things the request itself must decide:
 * - a client that sends nothing for `idleTimeoutMs` while the API waits for bytes: the chunk's stream
 *   fails with REQUEST_TIMEOUT (408) and the connection is closed after that answer. Time the API
 *   itself is not reading (storage is slow, backpressure) never counts against the client.
 * - a client that goes away mid-body: the chunk's stream fails at once, raw or form alike (a form's
 *   file stream would otherwise wait for bytes forever: pipe() does not pass the request's end on).
 * - a refusal or a failure before the body's end (storage failing, a wrong length): the rest of the
 *   body is read and dropped before the answer, so that the client gets the answer instead of a broken
 *   pipe, and the connection can be reused; a client that stalls then is answered after the same idle
 *   time, and its connection closed.
 * The bytes it passes on are counted by route (reelay_http_request_body_bytes_total), added to the
 * counter every COUNT_EVERY_BYTES and when the body ends: a counter update per 64 KiB socket read cost
 * the chunk route about 3 % of its CPU (bench profile).
 */
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { requestBodyBytes } from '#observability';
import { UploadError, UploadErrorCode } from '#uploads';

/** How many bytes pass between two updates of the body-bytes counter. */
const COUNT_EVERY_BYTES = 8 * 1024 * 1024;

export class BodyWatch {
  /** The request's bytes as they arrive; what reads the body reads this. */
  readonly bytes: Transform;
  private target?: Readable;
  private failure?: Error;
  private onFailure?: (error: Error) => void;
  private discarding = false;
  private over = false;
  private release!: () => void;
  private readonly done = new Promise<void>((resolve) => (this.release = resolve));
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly request: IncomingMessage,
    private readonly reply: FastifyReply,
    private readonly idleTimeoutMs: number,
  ) {
    const timer = setTimeout(() => this.idle(), idleTimeoutMs);
    this.timer = timer;
    const received = requestBodyBytes.labels(reply.request.routeOptions.url ?? 'unmatched');
    let uncounted = 0;
    this.bytes = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        timer.refresh();
        uncounted += chunk.length;
        if (uncounted >= COUNT_EVERY_BYTES) {
          received.inc(uncounted);
          uncounted = 0;
        }
        done(null, chunk);
      },
    });
    this.bytes.once('close', () => {
      if (uncounted > 0) received.inc(uncounted);
      uncounted = 0;
    });
    request.on('error', () => undefined); // a reset is handled on 'close'
    request.once('end', () => this.finish());
    request.once('close', () => {
      // The client's doing, not a fault of the server's: a 4xx that nobody reads, not a 500 in the log.
      if (!request.complete)
        this.fail(
          new UploadError(
            UploadErrorCode.ChunkLengthMismatch,
            'the client closed the connection before the end of the body',
            { closedByClient: true },
          ),
        );
      this.finish();
    });
    request.pipe(this.bytes);
  }

  /** The stream the use case reads (the raw body, or a form's file): failed when the body fails. */
  track(stream: Readable): Readable {
    this.target = stream;
    // Whoever reads the stream sees its error; one that nobody reads yet (the chunk was refused before
    // a byte was read) must not become an unhandled 'error' that ends the process.
    stream.on('error', () => undefined);
    if (this.failure) stream.destroy(this.failure);
    return stream;
  }

  /** Tells `listener` of the failure, already there or to come (before the stream to track exists). */
  whenFailed(listener: (error: Error) => void): void {
    if (this.failure) listener(this.failure);
    else this.onFailure = listener;
  }

  /**
   * Reads and drops the rest of the body; resolves once it ended, or stalled for the idle time (the
   * connection is then closed after the answer). Answer only then: Node closes the connection of an
   * answer sent before the body's end, and a client still writing sees a broken pipe instead.
   */
  discard(): Promise<void> {
    if (!this.discarding) {
      this.discarding = true;
      this.request.unpipe(this.bytes);
      this.bytes.destroy();
      if (!this.over) {
        this.request.on('data', () => this.timer.refresh());
        this.request.resume();
        this.timer.refresh();
      }
    }
    return this.done;
  }

  private idle(): void {
    // Paused by backpressure: the API is not reading (storage is slow), the client is not idle.
    if (!this.discarding && this.request.readableFlowing === false) return void this.timer.refresh();
    if (this.reply.sent) return void this.request.destroy();
    void this.reply.header('connection', 'close');
    this.fail(
      new UploadError(
        UploadErrorCode.RequestTimeout,
        `the request body sent nothing for ${this.idleTimeoutMs} ms; send the chunk again`,
        { idleTimeoutMs: this.idleTimeoutMs },
      ),
    );
    this.finish();
  }

  /** Nothing more will be read: the body ended, broke, or stalled past the idle time. */
  private finish(): void {
    clearTimeout(this.timer);
    this.over = true;
    this.release();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.target?.destroy(error);
    this.onFailure?.(error);
  }
}
