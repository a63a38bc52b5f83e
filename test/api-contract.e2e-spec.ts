/** The contract around the flows: validation, unknown ids, the envelope, and the OpenAPI document. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { FormData, request } from 'undici';
import type { UploadSessionDto } from '../apps/api/src/videos-batch/dto/upload-session.dto.js';
import { type ApiBody, failingFields } from './support/api-client.js';
import { startStack, type Stack } from './support/stack.js';

describe('API contract', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const file = { filename: 'a.mp4', size: 1000, type: 'video/mp4' };

  it.each([
    ['no files', { channel_id: '1', files: [] }, 'files'],
    ['6 files', { channel_id: '1', files: Array(6).fill(file) }, 'files'],
    ['a size of 0', { channel_id: '1', files: [{ ...file, size: 0 }] }, 'files.0.size'],
    ['a fractional size', { channel_id: '1', files: [{ ...file, size: 1.5 }] }, 'files.0.size'],
    ['a size as a string', { channel_id: '1', files: [{ ...file, size: '1000' }] }, 'files.0.size'],
    ['a file larger than the limit', { channel_id: '1', files: [{ ...file, size: 1e30 }] }, 'files.0.size'],
    ['a non-video type', { channel_id: '1', files: [{ ...file, type: 'application/pdf' }] }, 'files.0.type'],
    ['a picture type', { channel_id: '1', files: [{ ...file, type: 'image/png' }] }, 'files.0.type'],
    ['an HTML type', { channel_id: '1', files: [{ ...file, type: 'text/html' }] }, 'files.0.type'],
    ['no channel', { files: [file] }, 'channel_id'],
    ['an extra field', { channel_id: '1', files: [file], admin: true }, 'admin'],
  ])('init refuses %s with 400 naming the field', async (_name, body, field) => {
    const res = await stack.api.init(body);
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.error!.code).toBe('VALIDATION_FAILED');
    expect(failingFields(res.body.error).map((f) => f.field)).toContain(field);
  });

  it('init takes a numeric channel_id and infers the type from the extension', async () => {
    const res = await stack.api.init({ channel_id: 123, files: [{ filename: 'clip.MOV', size: 10 }] });
    expect(res.status).toBe(201);
    const { rows } = await stack.db.query<{ channel_id: string; content_type: string }>(
      'SELECT channel_id, content_type FROM upload_sessions WHERE id = $1',
      [res.body.data![0].uploadId],
    );
    expect(rows[0]).toEqual({ channel_id: '123', content_type: 'video/quicktime' });
  });

  it.each([
    ['', 'clip.mp4', 'video/mp4'],
    ['', 'recording', 'application/octet-stream'],
    ['application/octet-stream', 'clip.mkv', 'video/x-matroska'],
    ['video/mp4; codecs="avc1.42E01E"', 'clip.mp4', 'video/mp4'],
    ['video/avi', 'clip.avi', 'video/avi'],
  ])('init takes the type %p a browser reports for %p, and records %p', async (type, filename, recorded) => {
    const res = await stack.api.init({ channel_id: '1', files: [{ filename, size: 10, type }] });
    expect(res.status).toBe(201);
    expect(res.body.data![0].contentType).toBe(recorded);
    const { rows } = await stack.db.query<{ content_type: string }>(
      'SELECT content_type FROM upload_sessions WHERE id = $1',
      [res.body.data![0].uploadId],
    );
    expect(rows[0].content_type).toBe(recorded);
  });

  it('malformed JSON is a 400 in the envelope', async () => {
    const res = await stack.api.call('POST', '/api/v1/videos/batch/init', {
      body: '{"channel_id": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, error: { code: 'BAD_REQUEST' } });
  });

  it.each([
    ['GET', '/api/v1/videos/batch/progress/6f1c1c1e-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/videos/batch/retry/6f1c1c1e-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/videos/batch/complete/6f1c1c1e-0000-4000-8000-000000000000'],
  ] as const)('%s %s for an unknown uploadId is 404', async (method, path) => {
    const res = await stack.api.call(method, path);
    expect(res.status).toBe(404);
    expect(res.body.error!.code).toBe('UPLOAD_NOT_FOUND');
  });

  it('a malformed uploadId or chunk index is 400, an unknown route 404', async () => {
    const progress = await stack.api.progress('not-a-uuid');
    expect(progress.status).toBe(400);
    expect(progress.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: [{ field: 'uploadId', problems: ['uploadId must be a UUID'] }] },
    });
    const bad = await stack.api.chunkRaw('6f1c1c1e-0000-4000-8000-000000000000', -1, Buffer.alloc(1));
    expect(bad.status).toBe(400);
    expect(failingFields(bad.body.error)[0].field).toBe('chunkIndex');
    const missing = await stack.api.call('GET', '/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.success).toBe(false);
  });

  it('a large answer is gzip-compressed for a client that accepts it, as browsers do; a progress poll is not', async () => {
    const body = JSON.stringify({
      channel_id: '1',
      files: [{ filename: 'big.mp4', size: 400 * 5 * 1024 * 1024, type: 'video/mp4' }],
    });
    const init = (headers: Record<string, string>) =>
      request(`${stack.url}/api/v1/videos/batch/init`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.api.token}`, 'content-type': 'application/json', ...headers },
        body,
      });
    const zipped = await init({ 'accept-encoding': 'gzip, deflate, br, zstd' });
    const bytes = Buffer.from(await zipped.body.arrayBuffer());
    expect(zipped.statusCode).toBe(201);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(String(zipped.headers.vary).toLowerCase()).toContain('accept-encoding');
    const answer = JSON.parse(gunzipSync(bytes).toString()) as ApiBody<UploadSessionDto[]>;
    expect(answer.data![0].presignedUrls).toHaveLength(400);
    expect(bytes.length).toBeLessThan(JSON.stringify(answer).length / 3);

    const plain = await init({});
    expect(plain.statusCode).toBe(201);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(
      ((await plain.body.json()) as { data: Array<{ presignedUrls: string[] }> }).data[0].presignedUrls,
    ).toHaveLength(400);

    const poll = await request(`${stack.url}/api/v1/videos/batch/progress/${answer.data![0].uploadId}`, {
      headers: { authorization: `Bearer ${stack.api.token}`, 'accept-encoding': 'gzip' },
    });
    expect(poll.statusCode).toBe(200);
    expect(poll.headers['content-encoding']).toBeUndefined();
    expect(((await poll.body.json()) as { data: { totalChunks: number } }).data.totalChunks).toBe(400);
  });

  it('the progress route: a query string or a percent-encoded id still answer, HEAD answers the headers, other shapes are 4xx in the envelope', async () => {
    const [s] = (await stack.api.init({ channel_id: '1', files: [file] })).body.data!;
    const path = `/api/v1/videos/batch/progress/${s.uploadId}`;
    const plain = await stack.api.call('GET', path);
    expect(plain.status).toBe(200);
    expect(plain.body.data).toMatchObject({ uploadId: s.uploadId, progress: 0, status: 'initialized', totalChunks: 1 });
    expect(plain.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });

    expect((await stack.api.call('GET', `${path}?t=${Date.now()}`)).body).toEqual(plain.body);
    expect((await stack.api.call('GET', path.replace(/-/g, '%2D'))).body).toEqual(plain.body);

    const head = await request(`${stack.url}${path}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${stack.api.token}` },
    });
    expect(head.statusCode).toBe(200);
    expect(await head.body.text()).toBe('');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(JSON.stringify(plain.body)));
    expect(head.headers['cache-control']).toBe('no-store');

    const refusals = [
      [404, await stack.api.call('GET', `${path}/more`)],
      [400, await stack.api.call('GET', '/api/v1/videos/batch/progress/')],
      [404, await stack.api.call('POST', path, { json: {} })],
      [400, await stack.api.call('GET', '/api/v1/videos/batch/progress/%E0%A4%A')],
      [400, await stack.api.call('POST', '/api/v1/videos/batch/retry/%E0%A4%A')],
      [415, await stack.api.call('GET', path, { body: 'x', headers: { 'content-type': 'application/octet-stream' } })],
      [401, await stack.api.call('GET', path, { headers: { authorization: 'Bearer nope' } })],
    ] as const;
    for (const [status, answer] of refusals) {
      expect(answer.status).toBe(status);
      expect(answer.body.success).toBe(false);
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('by default any origin may call the API, and the progress route answers it too', async () => {
    const preflight = await request(`${stack.url}/api/v1/videos/batch/progress/6f1c1c1e-0000-4000-8000-000000000000`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization, cache-control, x-request-id',
      },
    });
    await preflight.body.text();
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    // What a page sends: its token, a fresh read when it resumes (no-cache), and its own request id.
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase();
    for (const header of ['authorization', 'cache-control', 'x-request-id']) expect(allowed).toContain(header);
    const poll = await stack.api.call('GET', '/api/v1/videos/batch/progress/6f1c1c1e-0000-4000-8000-000000000000', {
      headers: { origin: 'https://app.example.com' },
    });
    expect(poll.status).toBe(404);
    expect(poll.headers['access-control-allow-origin']).toBe('*');
  });

  it('a chunk as form-data: fields before it are skipped; a form without it, or a broken one, is 400', async () => {
    const [s] = (await stack.api.init({ channel_id: '1', files: [file] })).body.data!;
    const bearer = await stack.token('alice');
    const post = (body: FormData | string, headers: Record<string, string> = {}) =>
      request(`${stack.url}/api/v1/videos/batch/chunk/${s.uploadId}/0`, {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${bearer}`, ...headers },
      }).then(async (r) => ({
        status: r.statusCode,
        body: (await r.body.json()) as { error?: { code: string; details: { fields: Array<{ field: string }> } } },
      }));
    const noChunk = new FormData();
    noChunk.append('video', new Blob([Buffer.alloc(1000)]), 'a.mp4');
    const missing = await post(noChunk);
    expect(missing.status).toBe(400);
    expect(missing.body.error!.details.fields[0].field).toBe('chunk');
    expect((await post('no boundary', { 'content-type': 'multipart/form-data' })).status).toBe(400);
    expect((await post('--x\r\ngarbage', { 'content-type': 'multipart/form-data; boundary=x' })).status).toBe(400);
    const fieldsFirst = new FormData();
    fieldsFirst.append('chunkIndex', '0');
    fieldsFirst.append('chunk', new Blob([Buffer.alloc(1000, 7)]), 'a.mp4');
    expect((await post(fieldsFirst)).status).toBe(200);
  });

  it('a chunk in another content type is 415', async () => {
    const init = await stack.api.init({ channel_id: '1', files: [file] });
    const res = await stack.api.call('POST', `/api/v1/videos/batch/chunk/${init.body.data![0].uploadId}/0`, {
      body: 'x'.repeat(1000),
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(415);
    expect(res.body.success).toBe(false);
  });

  it('serves Swagger UI and the committed openapi.json is what the app generates', async () => {
    const ui = await request(`${stack.url}/docs`);
    expect(ui.statusCode).toBe(200);
    expect(await ui.body.text()).toMatch(/swagger/i);
    const live = (await (await request(`${stack.url}/docs-json`)).body.json()) as Record<string, unknown>;
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8')) as Record<string, unknown>;
    expect(live).toEqual(committed);
    // Swagger UI's "Authorize" needs the bearer scheme on every protected operation.
    expect(live).toMatchObject({ components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } });
    const paths = live.paths as Record<string, Record<string, { security?: unknown[] }>>;
    for (const [path, operations] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(operations))
        expect([method, path, operation.security]).toEqual([method, path, [{ bearer: [] }]]);
    }
    expect(Object.keys(live.paths as object)).toEqual(
      expect.arrayContaining([
        '/api/v1/videos/batch/init',
        '/api/v1/videos/batch/chunk/{uploadId}/{chunkIndex}',
        '/api/v1/videos/batch/progress/{uploadId}',
        '/api/v1/videos/batch/retry/{uploadId}',
        '/api/v1/videos/batch/complete/{uploadId}',
        '/api/v1/videos/batch/abort/{uploadId}',
      ]),
    );
  });

  it('declares the statuses every route may answer, and error.code as the enum of the codes the README lists', async () => {
    const live = (await (await request(`${stack.url}/docs-json`)).body.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: { ErrorBodyDto: { properties: { code: { enum: string[] } } } } };
    };
    for (const [path, operations] of Object.entries(live.paths)) {
      for (const [method, { responses }] of Object.entries(operations)) {
        // Any route: no token, or a bug. Any route with a parameter or a body: a bad one; with a path
        // parameter: one over the router's length (414).
        const expected = [
          '401',
          '500',
          ...(path.includes('{') || method === 'post' ? ['400'] : []),
          ...(path.includes('{') ? ['414'] : []),
        ];
        expect([method, path, expected.filter((status) => !(status in responses))]).toEqual([method, path, []]);
      }
    }
    // What the 414 is: an id one character past the router's limit, in the envelope with the CORS headers.
    for (const id of ['a'.repeat(101), 'a'.repeat(5000)]) {
      const long = await request(`${stack.url}/api/v1/videos/batch/progress/${id}`, {
        headers: { authorization: `Bearer ${stack.api.token}`, origin: 'http://localhost:5173' },
      });
      expect(long.statusCode).toBe(414);
      expect(long.headers['access-control-allow-origin']).toBe('*');
      expect(await long.body.json()).toMatchObject({ success: false, error: { code: 'BAD_REQUEST' } });
    }
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('### What the API answers'), readme.indexOf('Statuses a client sees'));
    const documented = table
      .split('\n')
      .filter((line) => /^\| \d{3} \|/.test(line))
      .flatMap((line) => [...line.split('|')[2].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]));
    expect([...live.components.schemas.ErrorBodyDto.properties.code.enum].sort()).toEqual(
      [...new Set(documented)].sort(),
    );
  });
});
