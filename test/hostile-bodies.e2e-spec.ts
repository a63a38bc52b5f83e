/**
 * Generated hostile bodies and framing (fast-check): JSON of any shape, depth and width on every route that
 * takes JSON, bytes that are not JSON or not UTF-8, forms cut anywhere on the chunk route, and requests whose
 * Content-Length or Transfer-Encoding lie. Every answer is a 4xx in the envelope (or a 2xx where the input is
 * valid after all), the process stays up, and an honest upload beside it completes. Last, a 500 provoked by
 * breaking what the API needs shows that every 500 is logged once with the error id it answered.
 */
import fc from 'fast-check';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { MiB, startStack, type Stack } from './support/stack.js';
import { randomFile, sha256 } from './support/files.js';
import { expectNoServerError, expectRefused, rawRequest, slowGoodUpload } from './support/hostile.js';

const RUNS = 40;
const INIT = '/api/v1/videos/batch/init';
const valid = '{"filename":"ok.mp4","size":1000,"type":"video/mp4"}';

/** Keys that name fields, reach for the prototype, or are merely odd. */
const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'channel_id', 'files', 'filename', 'size'),
  fc.constantFrom('type', 'length', '0', '', '\u0000', '\ud800', 'x'.repeat(300)),
  fc.string({ maxLength: 8 }),
);
const scalar = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1e400', '-1e-400', '9007199254740993', '""', '"\\u0000"'),
  fc.constantFrom('"\\ud800"', '"video/mp4"', '"a.mp4"', '1', '"1"'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => JSON.stringify(s)),
);
/** JSON text of any shape (duplicate keys and `__proto__` kept as written, which JSON.stringify cannot). */
const json: fc.Arbitrary<string> = fc.letrec<{ value: string; array: string; object: string }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', maxDepth: 5 }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
  object: fc
    .array(fc.tuple(key, tie('value')), { maxLength: 4 })
    .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
})).value;
/** Where a generated value lands in an init body: the whole body, or in place of one field. */
const placements: Array<(x: string) => string> = [
  (x) => x,
  (x) => `{"channel_id":"1","files":${x}}`,
  (x) => `{"channel_id":${x},"files":[${valid}]}`,
  (x) => `{"channel_id":"1","files":[${x}]}`,
  (x) => `{"channel_id":"1","files":[${valid},${x}]}`,
  (x) => `{"channel_id":"1","files":[{"filename":${x},"size":1000}]}`,
  (x) => `{"channel_id":"1","files":[{"filename":"a.mp4","size":${x}}]}`,
  (x) => `{"channel_id":"1","files":[{"filename":"a.mp4","size":1000,"type":${x}}]}`,
  (x) => `{"channel_id":"1","files":[${valid}],"__proto__":${x}}`,
  (x) => `{"channel_id":"1","files":[{"filename":"a.mp4","size":1000,"constructor":${x}}]}`,
];
const placement = fc.constantFrom(...placements);
/** `n` levels of arrays, objects or both, around a value. */
const nested = fc
  .tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"a":', '[{"files":'))
  .map(([n, open]) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : '}]';
    return open.repeat(n) + '1' + close.repeat(n);
  });

describe('hostile bodies', () => {
  let stack: Stack;
  const good = randomFile(11 * MiB);
  let goodUpload: Promise<string>;
  let uploadId: string;

  beforeAll(async () => {
    stack = await startStack({
      driver: 'disk',
      env: {
        RATE_LIMIT_INIT: '1000000',
        RATE_LIMIT_RETRY: '1000000',
        RATE_LIMIT_COMPLETE: '1000000',
        UPLOAD_MAX_OPEN_SESSIONS_PER_USER: '1000000',
      },
    });
    goodUpload = slowGoodUpload(stack, good, 1000);
    uploadId = (await stack.api.init({ channel_id: '1', files: [{ filename: 'b.mp4', size: 11 * MiB }] })).body.data![0]
      .uploadId;
  });
  afterAll(async () => {
    await goodUpload?.catch(() => undefined);
    await stack?.stop();
  });

  const send = (method: 'GET' | 'POST' | 'PUT', path: string, body: string | Buffer, type = 'application/json') =>
    stack.api.call(method, path, { body, headers: { 'content-type': type } });
  const jsonRoutes = () => [
    INIT,
    `/api/v1/videos/batch/retry/${uploadId}`,
    `/api/v1/videos/batch/complete/${uploadId}`,
    '/health',
    '/no/such/route',
  ];

  it('JSON of any shape, with prototype keys and duplicates, anywhere in an init body', async () => {
    await fc.assert(
      fc.asyncProperty(json, placement, async (x, place) => expectNoServerError(await send('POST', INIT, place(x)))),
      { numRuns: RUNS * 4 },
    );
  });

  it('JSON nested up to 30,000 deep, on every route that reads JSON', async () => {
    await fc.assert(
      fc.asyncProperty(nested, placement, fc.constantFrom(...jsonRoutes()), async (x, place, path) => {
        const res = await send('POST', path, place(x));
        if (x.length > 2000 && path !== '/no/such/route') expectRefused(res);
        else expectNoServerError(res);
      }),
      { numRuns: RUNS },
    );
  });

  it('wide bodies: tens of thousands of keys or items, long strings, around the 256 KiB limit', async () => {
    const wide = fc.oneof(
      fc.integer({ min: 1, max: 30_000 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":1`).join(',')}}`),
      fc.integer({ min: 1, max: 60_000 }).map((n) => `[${Array(n).fill('{}').join(',')}]`),
      fc.integer({ min: 1, max: 300 * 1024 }).map((n) => JSON.stringify('x'.repeat(n))),
    );
    await fc.assert(
      fc.asyncProperty(wide, placement, async (x, place) => {
        const res = await send('POST', INIT, place(x));
        expectNoServerError(res);
        // An answer never grows with the body: a few fields are named, not every one.
        expect(JSON.stringify(res.body).length).toBeLessThan(8 * 1024);
      }),
      { numRuns: RUNS },
    );
  });

  it('bytes that are not JSON, not UTF-8, or cut short; odd content types', async () => {
    const body = `{"channel_id":"1","files":[${valid}]}`;
    const invalidUtf8 = fc.constantFrom([0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]);
    const route = fc.constantFrom(...jsonRoutes());
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), route, async (bytes, path) =>
        expectNoServerError(await send('POST', path, Buffer.from(bytes))),
      ),
      { numRuns: RUNS },
    );
    // A valid init body cut short, or with bytes that are not UTF-8 in it (JSON is UTF-8: RFC 8259).
    const broken = fc.oneof(
      fc.integer({ min: 1, max: body.length - 1 }).map((n) => Buffer.from(body.slice(0, n))),
      fc
        .tuple(fc.integer({ min: 0, max: body.length }), invalidUtf8)
        .map(([at, bad]) =>
          Buffer.concat([Buffer.from(body.slice(0, at)), Buffer.from(bad), Buffer.from(body.slice(at))]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(broken, async (bytes) => expectRefused(await send('POST', INIT, bytes))),
      { numRuns: RUNS },
    );
    const type = fc.oneof(
      fc.constantFrom('application/json; charset=latin1', 'application/json; charset=utf-16', 'APPLICATION/JSON'),
      fc.constantFrom('application/json;;;', 'application/vnd.api+json', 'text/json', 'application/x-json'),
      fc.constantFrom('multipart/form-data', 'application/octet-stream', 'application/x-www-form-urlencoded'),
      fc.stringMatching(/^[\x20-\x7e]{0,60}$/),
    );
    await fc.assert(
      fc.asyncProperty(type, fc.constantFrom(...jsonRoutes()), async (t, path) =>
        expectNoServerError(await send('POST', path, body, t)),
      ),
      { numRuns: RUNS },
    );
  });

  it('chunk route: forms of any parts, names and boundaries, cut anywhere', async () => {
    const part = fc.record({
      name: fc.constantFrom('chunk', 'chunk', 'x', '', 'chunk[]', '"'),
      filename: fc.option(fc.constantFrom('a.bin', '', '../x', '\u00ff'.repeat(3))),
      length: fc.integer({ min: 0, max: 64 }),
      extraHeader: fc.option(fc.constantFrom('Content-Type: multipart/mixed; boundary=q', 'Content-Length: 5')),
    });
    const form = fc
      .tuple(fc.array(part, { maxLength: 4 }), fc.constantFrom('B0', 'x'.repeat(70), '--', 'a b'), fc.option(fc.nat()))
      .map(([parts, boundary, cut]) => {
        const text =
          parts
            .map((p) => {
              const disposition = `form-data; name="${p.name}"${p.filename === null ? '' : `; filename="${p.filename}"`}`;
              const extra = p.extraHeader ? `\r\n${p.extraHeader}` : '';
              return `--${boundary}\r\nContent-Disposition: ${disposition}${extra}\r\n\r\n${'v'.repeat(p.length)}\r\n`;
            })
            .join('') + `--${boundary}--\r\n`;
        return { boundary, body: Buffer.from(cut === null ? text : text.slice(0, cut % (text.length + 1)), 'latin1') };
      });
    await fc.assert(
      fc.asyncProperty(form, fc.integer({ min: 0, max: 3 }), async ({ boundary, body }, index) => {
        const type = `multipart/form-data; boundary=${boundary.includes(' ') ? `"${boundary}"` : boundary}`;
        expectNoServerError(await send('POST', `/api/v1/videos/batch/chunk/${uploadId}/${index}`, body, type));
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it("framing: Content-Length and Transfer-Encoding that lie, headers too large, odd Expect; Node's refusals in the envelope", async () => {
    const path = fc.constantFrom(INIT, `/api/v1/videos/batch/chunk/${uploadId}/2`, '/health');
    // Content-Length mostly the body's true length or a few bytes off it, sometimes not a length.
    const length = fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .oneof(fc.constant(0), fc.integer({ min: -3, max: 3 }))
          .map((d) => (n: number) => String(Math.max(0, n + d))),
      },
      { weight: 1, arbitrary: fc.constantFrom('-1', 'abc', '1, 2', '1e3', '9'.repeat(30)).map((v) => () => v) },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const encoding = fc.oneof(
      { weight: 3, arbitrary: fc.constant('chunked') },
      fc.constantFrom('gzip', 'identity', 'chunked, chunked', 'gzip, chunked'),
    );
    // Either header alone, mostly; both together now and then (which HTTP/1.1 forbids).
    const framing = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(length, fc.constant(null)) },
      { weight: 2, arbitrary: fc.tuple(fc.constant(null), encoding) },
      { weight: 1, arbitrary: fc.tuple(length, encoding) },
    );
    const body = fc.oneof(
      fc.string({ maxLength: 100 }),
      fc.string({ maxLength: 50 }).map((s) => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n0\r\n\r\n`),
      fc.constantFrom('zz\r\n{}\r\n0\r\n\r\n', '3\r\nabc\r\n', '2\r\n{}\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n'),
    );
    const bigHeader = fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, fc.integer({ min: 1, max: 40_000 }));
    const expectHeader = fc.oneof(
      { weight: 4, arbitrary: fc.constant(null) },
      fc.constantFrom('100-continue', 'foo', '200-ok', ''),
    );
    await fc.assert(
      fc.asyncProperty(path, framing, body, bigHeader, expectHeader, async (p, [len, te], b, big, expectation) => {
        const announced = len?.(Buffer.byteLength(b));
        const headers = [
          `POST ${p} HTTP/1.1`,
          'Host: x',
          `Authorization: Bearer ${stack.api.token}`,
          `Content-Type: ${p.includes('/chunk/') ? 'application/octet-stream' : 'application/json'}`,
          ...(announced === undefined ? [] : [`Content-Length: ${announced}`]),
          ...(te === null ? [] : [`Transfer-Encoding: ${te}`]),
          ...(big === null ? [] : [`X-Big: ${'a'.repeat(big)}`]),
          ...(expectation === null ? [] : [`Expect: ${expectation}`]),
          'Connection: close',
        ];
        const res = await rawRequest(stack.url, `${headers.join('\r\n')}\r\n\r\n${b}`);
        if (res.status !== undefined) expectNoServerError({ status: res.status, body: res.body });
      }),
      { numRuns: RUNS },
    );
    const refused = await rawRequest(stack.url, 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n');
    expectRefused({ status: refused.status!, body: refused.body });
    const expectation = await rawRequest(stack.url, 'GET /health HTTP/1.1\r\nHost: x\r\nExpect: foo\r\n\r\n');
    expect(expectation.status).toBe(417);
    expectRefused({ status: expectation.status!, body: expectation.body });
    const tooLarge = await rawRequest(stack.url, `GET /health HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(tooLarge.status).toBe(431);
    expectRefused({ status: tooLarge.status!, body: tooLarge.body });
  });

  it('slow bodies are taken whole; stalled ones keep no other request waiting', async () => {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 's.mp4', size: 100 }] })).body.data![0];
    const init = `{"channel_id":"1","files":[${valid}]}`;
    const head = (path: string, type: string, length: number) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.api.token}\r\n` +
      `Content-Type: ${type}\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;
    const cuts = (text: string, at: number[]) =>
      [0, ...at.sort((a, b) => a - b), text.length]
        .slice(1)
        .map((end, i, ends) => text.slice(i ? ends[i - 1] : 0, end));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: init.length - 1 }), { maxLength: 12 }), async (at) => {
        // The head and the body a few bytes at a time, 30 ms apart.
        const request = head(INIT, 'application/json', init.length) + init;
        const headLength = request.length - init.length;
        const res = await rawRequest(stack.url, cuts(request, [...at, ...at.map((n) => headLength - n)]), {
          pauseMs: 30,
          endAfterMs: 5000,
        });
        expect(res.status).toBe(201);
      }),
      { numRuns: 3 },
    );
    const chunk = 'c'.repeat(100);
    const slowChunk = cuts(chunk, [10, 20, 50, 99]).map((piece, i) =>
      i === 0 ? head(`/api/v1/videos/batch/chunk/${s.uploadId}/0`, 'application/octet-stream', 100) + piece : piece,
    );
    expect((await rawRequest(stack.url, slowChunk, { pauseMs: 50, endAfterMs: 5000 })).status).toBe(200);

    // Bodies that stop half way and connections that stay open: the others are answered meanwhile.
    const stalled = Array.from({ length: 40 }, (_, i) => {
      const socket = connect(Number(new URL(stack.url).port), '127.0.0.1');
      const path = i % 2 ? INIT : `/api/v1/videos/batch/chunk/${s.uploadId}/0`;
      socket.write(head(path, i % 2 ? 'application/json' : 'application/octet-stream', 100) + '{"chan');
      socket.on('error', () => undefined);
      return socket;
    });
    try {
      expect((await stack.api.progress(s.uploadId)).status).toBe(200);
      expect((await stack.api.init({ channel_id: '1', files: [{ filename: 'o.mp4', size: 100 }] })).status).toBe(201);
    } finally {
      for (const socket of stalled) socket.destroy();
    }
  });

  it('the process stayed up, answered no 500, and the good upload beside all this completed', async () => {
    expect(await goodUpload).toBe(sha256(good));
    expect((await request(`${stack.url}/health`)).statusCode).toBe(200);
    expect(stack.logs()).not.toMatch(/INTERNAL_ERROR|error [0-9a-f-]{36}/);
  }, 120_000);

  it('every 500 is logged once with the error id it answered, its method, route and stack', async () => {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'l.mp4', size: 100 }] })).body.data![0];
    // What the API needs, taken away: its table of sessions and videos, and the disk driver's temp folder.
    await stack.db.query('ALTER TABLE upload_sessions RENAME TO upload_sessions_gone');
    await stack.db.query('ALTER TABLE videos RENAME TO videos_gone');
    const tmp = join(stack.env.STORAGE_DISK_ROOT, 'tmp');
    rmSync(tmp, { recursive: true, force: true });
    writeFileSync(tmp, 'not a folder');
    try {
      const answers = [
        // A fresh read waits for the look in storage, which reads the session (a plain poll answers from Redis).
        ['GET', `/api/v1/videos/batch/progress/${s.uploadId}`, await stack.api.progress(s.uploadId, { fresh: true })],
        ['POST', `/api/v1/videos/batch/complete/${s.uploadId}`, await stack.api.complete(s.uploadId)],
        ['GET', `/api/v1/videos/${s.fileId}`, await stack.api.call('GET', `/api/v1/videos/${s.fileId}`)],
        [
          'PUT',
          '/api/v1/storage/disk',
          await stack.api.call('PUT', s.presignedUrls[0].slice(stack.url.length), {
            body: Buffer.alloc(100),
          }),
        ],
      ] as const;
      for (const [method, path, res] of answers) {
        expect(res.status).toBe(500);
        expect(res.body.error?.code).toBe('INTERNAL_ERROR');
        const errorId = (res.body.error?.details as { errorId: string }).errorId;
        expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
        const lines = stack.logs().split('\n');
        const logged = lines.filter((line) => line.includes(errorId));
        expect(logged).toHaveLength(1);
        expect(logged[0]).toContain(`error ${errorId} on ${method} ${path}`);
        // The stack: its first line, then its frames (Node's fs errors, the disk driver's here, have none).
        expect(logged[0]).toMatch(/: \w*Error: /);
        if (!path.includes('/storage/')) expect(lines[lines.indexOf(logged[0]) + 1]).toMatch(/^\s+at /);
      }
    } finally {
      rmSync(tmp, { force: true });
      mkdirSync(tmp);
      await stack.db.query('ALTER TABLE videos_gone RENAME TO videos');
      await stack.db.query('ALTER TABLE upload_sessions_gone RENAME TO upload_sessions');
    }
    // Given back what it needs, the API serves the same upload again.
    expect((await stack.api.progress(s.uploadId)).status).toBe(200);
  });
});
