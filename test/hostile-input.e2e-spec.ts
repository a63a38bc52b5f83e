/**
 * Generated bad input thrown at every route (fast-check): bodies, ids, chunk indices, headers, query strings,
 * tampered disk storage URLs, and any sequence of calls on live, expired and progress-less uploads. Every
 * answer is a 4xx in the envelope (or a success where the input is valid after all), the process stays up,
 * and a good upload running beside it still completes byte-identical. Bodies of any shape, depth and size,
 * and broken HTTP framing: hostile-bodies.e2e-spec.ts.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { MiB, startStack, type Stack } from './support/stack.js';
import { putTo, randomFile, sha256 } from './support/files.js';
import { expectErrorEnvelope, expectNoServerError, expectRefused, slowGoodUpload } from './support/hostile.js';

const RUNS = 60;
/**
 * The C0 control characters (U+0000 to U+001F) and DEL, as a character-class range. Hostile filenames are
 * made of them on purpose, so the patterns below are built from this text rather than written as literals.
 */
const CONTROL_CHARACTERS = '\\u0000-\\u001f\\u007f';
const valid = { filename: 'ok.mp4', size: 1000, type: 'video/mp4' };

/** Values that are never a valid size: zero, negative, fractional, huge, non-numbers. */
const badSize = fc.oneof(
  fc.constant(0),
  fc.integer({ max: -1 }),
  fc.double({ noInteger: true, noNaN: true }),
  fc.constant(1e30),
  fc.string(),
  fc.constant(null),
  fc.boolean(),
  fc.array(fc.nat()),
);
const hostileName = fc.oneof(
  fc.constant('../../etc/passwd'),
  fc.constant('a\u0000b.mp4'),
  fc.constant('\u202emp4.exe'),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constant('x'.repeat(10_000)),
  fc.stringMatching(new RegExp(`^[${CONTROL_CHARACTERS}/\\\\]{1,20}$`)),
);
const badType = fc.oneof(
  fc.constant('application/pdf'),
  fc.constant('image/png'),
  fc.constant('video/'),
  fc.constant('text/html; video/mp4'),
  // Any string but the types a browser may report: empty, application/octet-stream, video/*, with parameters.
  fc
    .string({ maxLength: 30 })
    .filter((s) => !/^\s*(video\/[a-z0-9!#$&^_.+-]+|application\/octet-stream)?\s*(;.*)?$/i.test(s)),
  fc.integer(),
);

/** A file description with at least one field that is wrong. */
const badFile = fc.oneof(
  fc.record({ filename: fc.constant(valid.filename), size: badSize, type: fc.constant(valid.type) }),
  fc.record({ filename: fc.constant(valid.filename), size: fc.constant(valid.size), type: badType }),
  fc.record({
    filename: fc.oneof(fc.constant(''), fc.integer(), fc.constant(null), fc.constant('x'.repeat(1025))),
    size: fc.constant(valid.size),
    type: fc.constant(valid.type),
  }),
  fc.record({ size: fc.constant(valid.size) }),
  fc.record({
    filename: fc.constant(valid.filename),
    size: fc.constant(valid.size),
    type: fc.constant(valid.type),
    extra: fc.anything().filter((v) => v !== undefined),
  }),
);
const badInitBody = fc.oneof(
  fc.record({ channel_id: fc.constant('1'), files: fc.array(badFile, { minLength: 1, maxLength: 5 }) }),
  fc.record({ channel_id: fc.constant('1'), files: fc.array(fc.constant(valid), { minLength: 6, maxLength: 12 }) }),
  fc.record({ channel_id: fc.constant('1'), files: fc.constant([]) }),
  fc.record({
    channel_id: fc.oneof(
      fc.constant(''),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.nat()),
      fc.double({ noInteger: true }),
      fc.constant('x'.repeat(300)),
    ),
    files: fc.constant([valid]),
  }),
  fc.record({ files: fc.constant([valid]) }),
  fc.anything().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
);

type Call = ['GET' | 'POST', string, { body?: Buffer; headers?: Record<string, string> }?];
const octets = (length: number) => ({
  body: Buffer.alloc(length),
  headers: { 'content-type': 'application/octet-stream' },
});
/** Every route that takes an id in its path, called with an id already URL-encoded. */
const ID_ROUTES: Array<(id: string) => Call> = [
  (id) => ['GET', `/api/v1/videos/batch/progress/${id}`],
  (id) => ['POST', `/api/v1/videos/batch/retry/${id}`],
  (id) => ['POST', `/api/v1/videos/batch/complete/${id}`],
  (id) => ['POST', `/api/v1/videos/batch/abort/${id}`],
  (id) => ['POST', `/api/v1/videos/batch/chunk/${id}/0`, octets(1)],
  (id) => ['GET', `/api/v1/videos/${id}`],
];

describe('hostile input', () => {
  let stack: Stack;
  const good = randomFile(11 * MiB);
  let goodUpload: Promise<string>;

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
    // A good upload that sends its chunks slowly while the suite runs, then completes.
    goodUpload = slowGoodUpload(stack, good, 1500);
  });
  afterAll(async () => {
    await goodUpload?.catch(() => undefined);
    await stack?.stop();
  });

  it('init: wrong types, missing and extra fields, 0 and 6+ files, bad sizes and types', async () => {
    await fc.assert(
      fc.asyncProperty(badInitBody, async (body) => expectRefused(await stack.api.init(body))),
      { numRuns: RUNS * 3 },
    );
  });

  it('init: hostile filenames are either refused (4xx) or kept as harmless text', async () => {
    await fc.assert(
      fc.asyncProperty(hostileName, async (filename) => {
        const res = await stack.api.init({ channel_id: '1', files: [{ ...valid, filename }] });
        if (res.status === 201)
          expect(res.body.data![0].filename).not.toMatch(
            new RegExp(`[${CONTROL_CHARACTERS}/\\\\\\u202a-\\u202e\\u2066-\\u2069]`),
          );
        else expectRefused(res);
      }),
      { numRuns: RUNS },
    );
  });

  it('init: malformed JSON and wrong content types', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'application/octet-stream',
          'multipart/form-data; boundary=x',
        ),
        async (body, type) => {
          expectRefused(
            await stack.api.call('POST', '/api/v1/videos/batch/init', {
              body: type === 'application/json' ? `{${body}` : body,
              headers: { 'content-type': type },
            }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('every route: malformed ids', async () => {
    const id = fc.oneof(
      fc.string({ minLength: 1, maxLength: 80 }),
      fc.uuid().map((u) => u.toUpperCase() + 'x'),
      fc.constant('..%2f..%2fetc'),
      fc.constant('%00'),
    );
    await fc.assert(
      fc.asyncProperty(id, fc.constantFrom(...ID_ROUTES), async (raw, route) => {
        expectRefused(await stack.api.call(...route(encodeURIComponent(raw))));
      }),
      { numRuns: RUNS },
    );
  });

  it('chunk: indices out of range, negative, fractional; wrong lengths; empty bodies', async () => {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'c.mp4', size: 11 * MiB }] })).body.data![0];
    const index = fc.oneof(
      fc.integer({ min: 3, max: 1e9 }).map(String),
      fc.integer({ max: -1 }).map(String),
      fc.double({ noInteger: true, noNaN: true }).map(String),
      fc.constantFrom('NaN', '1e3', '0x1', ' 1', ''),
      fc.string({ minLength: 1, maxLength: 10 }).filter((v) => !/^[012]$/.test(v)),
    );
    await fc.assert(
      fc.asyncProperty(index, fc.integer({ min: 0, max: 4096 }), async (i, length) => {
        expectRefused(
          await stack.api.call('POST', `/api/v1/videos/batch/chunk/${s.uploadId}/${encodeURIComponent(i)}`, {
            body: Buffer.alloc(length),
            headers: { 'content-type': 'application/octet-stream' },
          }),
        );
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 64 * 1024 }), async (i, length) => {
        expectRefused(await stack.api.chunkRaw(s.uploadId, i, Buffer.alloc(length)));
      }),
      { numRuns: RUNS },
    );
    expectRefused(await stack.api.chunkForm(s.uploadId, 0, Buffer.alloc(10)));
  });

  it('oversized and truncated bodies leave the process up', async () => {
    expectRefused(
      await stack.api.call('POST', '/api/v1/videos/batch/init', {
        body: JSON.stringify({ channel_id: '1', files: [valid], pad: 'x'.repeat(400 * 1024) }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 't.mp4', size: 11 * MiB }] })).body.data![0];
    for (const path of ['/api/v1/videos/batch/init', `/api/v1/videos/batch/chunk/${s.uploadId}/0`]) {
      await new Promise<void>((resolve) => {
        const url = new URL(stack.url);
        const socket = connect(Number(url.port), url.hostname, () => {
          socket.write(
            `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${stack.api.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: 5242880\r\n\r\n`,
          );
          socket.write(Buffer.alloc(1000), () => setTimeout(() => socket.destroy(), 100));
        });
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    }
    const health = await request(`${stack.url}/health`);
    expect(health.statusCode).toBe(200);
    await health.body.text();
  });

  it('every route: hostile headers, query strings and OPTIONS', async () => {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'h.mp4', size: 100 }] })).body.data![0];
    const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
    const authorization = fc.oneof(
      fc.constantFrom('', 'Bearer', 'Bearer ', 'Basic YTpi', `bearer ${stack.api.token}`, `Bearer ${stack.api.token}x`),
      fc.constantFrom('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Bearer a.b.c', 'Bearer ..'),
      // Signed as the platform signs, with subjects the database could not store.
      fc.constantFrom(`Bearer ${await stack.token('al\u0000ice')}`, `Bearer ${await stack.token('x'.repeat(300))}`),
      fc.integer({ min: 1, max: 12_000 }).map((n) => `Bearer ${'a'.repeat(n)}`),
      printable(100),
    );
    const headers = fc.record(
      {
        authorization,
        origin: printable(60),
        'accept-encoding': fc.oneof(printable(60), fc.constantFrom('gzip;q=abc, *;q=-1', 'br, zstd, x')),
        'x-forwarded-for': printable(60),
        range: fc.oneof(printable(30), fc.constantFrom('bytes=-0', 'bytes=9-1', 'bytes=0-0,1-1,2-2')),
        'if-none-match': printable(30),
      },
      { requiredKeys: [] },
    );
    const query = fc.oneof(
      printable(200),
      fc.constantFrom('a[b][c][d]=1&__proto__[x]=1&constructor[prototype][x]=1', '%E0%A4%A=%ZZ', '&&&==&'),
      fc.integer({ min: 1, max: 2000 }).map((n) => 'a=1&'.repeat(n)),
    );
    const routes = [...ID_ROUTES.map((route) => route(s.uploadId)), ['GET', '/health'] as Call];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), headers, query, async ([method, path, options], h, q) => {
        const res = await stack.api.call(method, `${path}?${encodeURI(q)}`, {
          ...options,
          headers: { ...options?.headers, authorization: `Bearer ${stack.api.token}`, ...h },
        });
        expectNoServerError(res);
      }),
      { numRuns: RUNS * 2 },
    );
    // OPTIONS anywhere: a CORS preflight (204) or a refusal in the envelope, whatever its headers.
    const preflight = fc.record(
      {
        origin: printable(60),
        'access-control-request-method': printable(20),
        'access-control-request-headers': printable(60),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes, ['GET', '/docs'] as Call), preflight, async ([, path], h) => {
        const res = await request(stack.url + path, { method: 'OPTIONS', headers: h });
        const text = await res.body.text();
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expectErrorEnvelope(JSON.parse(text));
      }),
      { numRuns: RUNS },
    );
  });

  it('disk storage URLs: every parameter tampered with, hostile ranges and methods', async () => {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'd.mp4', size: 100 }] })).body.data![0];
    await stack.storage.putObject('probe/object', Readable.from([Buffer.alloc(100)]), 100);
    const urls = [s.presignedUrls[0], await stack.storage.presignGet('probe/object', 600)];
    const value = fc.oneof(
      fc.constantFrom('', '0', '-1', '1.5', 'NaN', '1e400', '99999999999999999999', '../../etc/passwd', '%00'),
      fc.string({ maxLength: 40 }),
    );
    const tamper = fc.oneof(
      fc.tuple(fc.constant('set' as const), fc.nat(), value),
      fc.tuple(fc.constant('drop' as const), fc.nat(), fc.constant('')),
      fc.tuple(fc.constant('twice' as const), fc.nat(), value),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...urls),
        fc.array(tamper, { maxLength: 3 }),
        fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'DELETE'),
        fc.option(fc.constantFrom('bytes=0-', 'bytes=-1', 'bytes=99-200', 'bytes=5-1', 'bytes=a-b', 'items=0-1')),
        fc.nat({ max: 200 }),
        async (signed, tampers, method, range, length) => {
          const url = new URL(signed);
          for (const [how, which, v] of tampers) {
            const name = [...url.searchParams.keys()][which % [...url.searchParams.keys()].length];
            if (how === 'set') url.searchParams.set(name, v);
            else if (how === 'drop') url.searchParams.delete(name);
            else url.searchParams.append(name, v);
          }
          const res = await request(url, {
            method,
            headers: range ? { range } : {},
            body: method === 'PUT' || method === 'POST' ? Buffer.alloc(length) : undefined,
          });
          const text = await res.body.text();
          expect(res.statusCode).toBeLessThan(500);
          if (res.statusCode >= 400 && method !== 'HEAD') expectErrorEnvelope(JSON.parse(text));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('any sequence of calls on uploads, with expiry and lost progress keys between them', async () => {
    const call = fc.oneof(
      fc.constantFrom('progress', 'retry', 'complete', 'abort', 'video', 'expire', 'lose-progress', 'put'),
      fc.tuple(fc.constantFrom('chunk', 'form'), fc.integer({ min: 0, max: 2 }), fc.boolean()),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: 1 }), call), { minLength: 1, maxLength: 12 }), async (calls) => {
        // Two uploads: one chunk of 100 bytes, and two chunks (5 MiB, then 10 bytes) of which only the short
        // one is ever sent whole.
        const sessions = (
          await stack.api.init({
            channel_id: '1',
            files: [
              { filename: 'one.mp4', size: 100 },
              { filename: 'two.mp4', size: 5 * MiB + 10 },
            ],
          })
        ).body.data!;
        for (const [which, step] of calls) {
          const s = sessions[which];
          const rightLength = s.totalChunks === 1 ? 100 : 10;
          if (Array.isArray(step)) {
            const [form, index, right] = step;
            const body = Buffer.alloc(right && index === s.totalChunks - 1 ? rightLength : 7);
            const res =
              form === 'form'
                ? await stack.api.chunkForm(s.uploadId, index, body)
                : await stack.api.chunkRaw(s.uploadId, index, body);
            expectNoServerError(res);
          } else if (step === 'put') {
            const index = s.totalChunks - 1;
            const res = await putTo(s.presignedUrls[index], Buffer.alloc(rightLength));
            expect(res.status).toBeLessThan(500);
          } else if (step === 'expire' || step === 'lose-progress') {
            // Time passing: the session's expiry, and its progress keys, whose TTL is the session's, gone with
            // it (before any cleanup ran). Or Redis losing the keys of a live upload.
            if (step === 'expire')
              await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 s' WHERE id = $1`, [
                s.uploadId,
              ]);
            const keys = await stack.redis.keys(`${stack.redisPrefix}*${s.uploadId}*`);
            if (keys.length) await stack.redis.del(...keys);
          } else if (step === 'video') {
            expectNoServerError(await stack.api.call('GET', `/api/v1/videos/${s.fileId}`));
          } else {
            const path = `/api/v1/videos/batch/${step}/${s.uploadId}`;
            expectNoServerError(await stack.api.call(step === 'progress' ? 'GET' : 'POST', path));
          }
        }
      }),
      { numRuns: RUNS / 3 },
    );
  });

  it('the good upload beside all this completed byte-identical', async () => {
    expect(await goodUpload).toBe(sha256(good));
    expect(stack.logs()).not.toMatch(/INTERNAL_ERROR|error [0-9a-f-]{36}/);
  }, 120_000);
});
