/**
 * Generated bad input thrown at every route (fast-check): every answer is a 4xx in the envelope, the
 * process stays up, and a good upload running beside it still completes byte-identical.
 */
import fc from 'fast-check';
import { request } from 'undici';
import { connect } from 'node:net';
import { MiB, startStack, type Stack } from './support/stack.js';
import { chunkOf, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

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
    const honest = await stack.as('honest', ['7']);
    // A good upload that sends its chunks slowly while the suite runs, then completes.
    goodUpload = (async () => {
      const s = (await honest.init({ channel_id: '7', files: [{ filename: 'good.mp4', size: good.length }] })).body
        .data![0];
      for (let i = 0; i < s.totalChunks; i++) {
        await new Promise((r) => setTimeout(r, 1500));
        const sent =
          i % 2
            ? await honest.chunkRaw(s.uploadId, i, chunkOf(good, s.chunkSize, i))
            : { status: (await putTo(s.presignedUrls[i], chunkOf(good, s.chunkSize, i))).status };
        if (sent.status !== 200) throw new Error(`good chunk ${i} answered ${sent.status}`);
      }
      const done = await honest.complete(s.uploadId);
      if (done.status !== 200) throw new Error(`good complete answered ${done.status}`);
      return sha256OfStream(await stack.storage.readRange(`videos/${s.fileId}/source`, 0));
    })();
  });
  afterAll(async () => {
    await goodUpload?.catch(() => undefined);
    await stack?.stop();
  });

  const expect4xx = (res: { status: number; body: { success: boolean; error?: { code: string } } }) => {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.success).toBe(false);
    expect(typeof res.body.error?.code).toBe('string');
  };

  it('init: wrong types, missing and extra fields, 0 and 6+ files, bad sizes and types', async () => {
    await fc.assert(
      fc.asyncProperty(badInitBody, async (body) => expect4xx(await stack.api.init(body))),
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
        else expect4xx(res);
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
          expect4xx(
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
      fc.asyncProperty(id, fc.constantFrom('progress', 'retry', 'complete'), async (raw, route) => {
        const method = route === 'progress' ? 'GET' : 'POST';
        expect4xx(await stack.api.call(method, `/api/v1/videos/batch/${route}/${encodeURIComponent(raw)}`));
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
        expect4xx(
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
        expect4xx(await stack.api.chunkRaw(s.uploadId, i, Buffer.alloc(length)));
      }),
      { numRuns: RUNS },
    );
    expect4xx(await stack.api.chunkForm(s.uploadId, 0, Buffer.alloc(10)));
  });

  it('oversized and truncated bodies leave the process up', async () => {
    expect4xx(
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

  it('the good upload beside all this completed byte-identical', async () => {
    expect(await goodUpload).toBe(sha256(good));
    expect(stack.logs()).not.toMatch(/INTERNAL_ERROR|error [0-9a-f-]{36}/);
  }, 120_000);
});
