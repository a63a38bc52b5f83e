/**
 * What the hostile-input suites share: the rule every answer to bad input must follow, an honest upload
 * that runs beside them, and a client that writes raw bytes on a socket (for requests no HTTP client
 * would send: lying lengths, broken framing, invalid UTF-8 in a header).
 */
import { connect } from 'node:net';
import { chunkOf, putTo, sha256OfStream } from './files.js';
import type { Stack } from './stack.js';

export interface Answer {
  status: number;
  body: unknown;
}

/** A 4xx in the envelope `{ success: false, error: { code, message, details } }`. */
export function expectRefused(res: Answer): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expectErrorEnvelope(res.body);
}

/** Any answer but a 5xx: a 4xx in the envelope, or a success in it (the input was valid after all). */
export function expectNoServerError(res: Answer): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) expectErrorEnvelope(res.body);
  else expect(res.body).toMatchObject({ success: true });
}

/** `{ success: false, error: { code, message, details } }`. */
export function expectErrorEnvelope(body: unknown): void {
  expect(body).toMatchObject({
    success: false,
    error: { code: expect.any(String) as unknown, message: expect.any(String) as unknown },
  });
  expect(body).toHaveProperty('error.details');
}

/**
 * An upload that sends its chunks slowly (one every `pauseMs`), alternately through the API and to its
 * presigned URL, then completes. Answers the sha256 of what storage holds; throws on any failed step.
 */
export async function slowGoodUpload(stack: Stack, file: Buffer, pauseMs: number): Promise<string> {
  const honest = await stack.as('honest', ['7']);
  const init = await honest.init({ channel_id: '7', files: [{ filename: 'good.mp4', size: file.length }] });
  const s = init.body.data![0];
  for (let i = 0; i < s.totalChunks; i++) {
    await new Promise((r) => setTimeout(r, pauseMs));
    const chunk = chunkOf(file, s.chunkSize, i);
    const sent =
      i % 2 ? await honest.chunkRaw(s.uploadId, i, chunk) : { status: (await putTo(s.presignedUrls[i], chunk)).status };
    if (sent.status !== 200) throw new Error(`good chunk ${i} answered ${sent.status}`);
  }
  const done = await honest.complete(s.uploadId);
  if (done.status !== 200) throw new Error(`good complete answered ${done.status}`);
  return sha256OfStream(await stack.storage.readRange(`videos/${s.fileId}/source`, 0));
}

export interface RawAnswer {
  /** Absent when the server closed the connection (or `waitMs` passed) without answering. */
  status?: number;
  /** The body parsed as JSON, or the text when it is not JSON. */
  body?: unknown;
}

export interface RawOptions {
  /** Time between the pieces of the request, as a slow client sends them. */
  pauseMs?: number;
  /**
   * With no answer this long after the last piece, this side of the connection is ended: a body shorter than
   * announced then ends there (Node answers 400) instead of keeping the request waiting. Ending it at once
   * would lose the answers that take a while: Node drops a request whose client ended the connection first.
   */
  endAfterMs?: number;
  /** Longest wait for the answer in all. */
  waitMs?: number;
}

/** Writes `request` on a fresh connection and reads the first answer (see RawOptions). */
export function rawRequest(
  url: string,
  request: Buffer | string | Array<Buffer | string>,
  { pauseMs = 0, endAfterMs = 500, waitMs = 10_000 }: RawOptions = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const pieces = Array.isArray(request) ? request : [request];
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const timers: NodeJS.Timeout[] = [];
    const socket = connect(Number(port), hostname, () => void send());
    const send = async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        if (!socket.destroyed) socket.write(piece);
      }
      timers.push(setTimeout(() => socket.end(), endAfterMs));
    };
    timers.push(setTimeout(() => socket.destroy(), waitMs));
    socket.on('data', (d: Buffer) => {
      received.push(d);
      if (parseAnswer(Buffer.concat(received)).body !== undefined) socket.destroy();
    });
    socket.on('close', () => {
      timers.forEach(clearTimeout);
      resolve(parseAnswer(Buffer.concat(received)));
    });
    socket.on('error', () => undefined); // a reset after the answer (or instead of one) is read as it stands
  });
}

/** The first HTTP/1.1 answer in `bytes` past any 100 Continue; its body once Content-Length bytes arrived. */
function parseAnswer(bytes: Buffer): RawAnswer {
  let text = bytes.toString('latin1');
  while (text.startsWith('HTTP/1.1 100')) text = text.slice(text.indexOf('\r\n\r\n') + 4);
  const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
  const headEnd = text.indexOf('\r\n\r\n');
  if (!status || headEnd < 0) return {};
  const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, headEnd))?.[1];
  const rest = Buffer.from(text.slice(headEnd + 4), 'latin1');
  if (length === undefined || rest.length < Number(length)) return { status: Number(status) };
  const bodyText = rest.subarray(0, Number(length)).toString('utf8');
  try {
    return { status: Number(status), body: JSON.parse(bodyText) as unknown };
  } catch {
    return { status: Number(status), body: bodyText };
  }
}
