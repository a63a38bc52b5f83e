/** Limits against abuse: per-user rate limits, the cap on open uploads, presigned URLs bound to their body and upload, headers. */
import { request } from 'undici';
import { DRIVERS, startStack, type Stack } from './support/stack.js';
import { putTo, randomFile, sha256, sha256OfStream } from './support/files.js';

const file = { filename: 'a.mp4', size: 1000, type: 'video/mp4' };

describe('rate limits and the open-upload cap', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      driver: 'disk',
      env: {
        RATE_LIMIT_WINDOW_SECONDS: '2',
        RATE_LIMIT_INIT: '3',
        RATE_LIMIT_COMPLETE: '2',
        UPLOAD_MAX_OPEN_SESSIONS_PER_USER: '4',
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 in the envelope past the init limit, for that user only, and recovers after the window', async () => {
    const erin = await stack.as('erin');
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await erin.init({ channel_id: '1', files: [file] })).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const limited = await erin.init({ channel_id: '1', files: [file] });
    expect(limited.body).toMatchObject({ success: false, error: { code: 'RATE_LIMITED' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(2);
    // A message for a person, and only the standard header: none per named limit.
    expect(limited.body.error?.message).toMatch(/^too many requests: at most 3 per 2 s; retry after [12] s$/);
    expect(Object.keys(limited.headers).filter((h) => /^(retry-after-|x-ratelimit)/i.test(h))).toEqual([]);
    expect((await (await stack.as('frank')).init({ channel_id: '1', files: [file] })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 2200));
    expect((await erin.init({ channel_id: '1', files: [file] })).status).toBe(201);
  });

  it('limits complete per user too, and polling progress is not limited', async () => {
    const gina = await stack.as('gina');
    const s = (await gina.init({ channel_id: '1', files: [file] })).body.data![0];
    for (let i = 0; i < 10; i++) expect((await gina.progress(s.uploadId)).status).toBe(200);
    expect((await gina.complete(s.uploadId)).status).toBe(409);
    expect((await gina.complete(s.uploadId)).status).toBe(409);
    expect((await gina.complete(s.uploadId)).status).toBe(429);
  });

  it('caps open uploads per user with 429, and frees a place when an upload completes', async () => {
    await new Promise((r) => setTimeout(r, 2200));
    const hank = await stack.as('hank');
    const first = await hank.init({ channel_id: '1', files: [file, file, file] });
    expect(first.status).toBe(201);
    const over = await hank.init({ channel_id: '1', files: [file, file] });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'TOO_MANY_OPEN_UPLOADS', details: { limit: 4 } });
    const s = first.body.data![0];
    expect((await putTo(s.presignedUrls[0], randomFile(1000))).status).toBe(200);
    expect((await hank.complete(s.uploadId)).status).toBe(200);
    expect((await hank.init({ channel_id: '1', files: [file, file] })).status).toBe(201);
  });
});

describe.each(DRIVERS)('the presigned URL of a file sent whole on the %s driver', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function initOne(body: Buffer, type: string) {
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'a.avi', size: body.length, type }] })).body
      .data![0];
    const { rows } = await stack.db.query<{ storage_key: string; multipart_upload_id: string }>(
      'SELECT storage_key, multipart_upload_id FROM upload_sessions WHERE id = $1',
      [s.uploadId],
    );
    return { s, key: rows[0].storage_key, multipartUploadId: rows[0].multipart_upload_id };
  }

  it('refuses a body of another size and stores nothing, then takes the right one', async () => {
    const body = randomFile(4096);
    const { s, key, multipartUploadId } = await initOne(body, 'video/mp4');
    for (const wrong of [body.subarray(1), Buffer.concat([body, Buffer.from('x')])]) {
      const res = await putTo(s.presignedUrls[0], wrong);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await stack.storage.listParts(key, multipartUploadId)).toEqual([]);
    expect((await putTo(s.presignedUrls[0], body)).status).toBe(200);
    expect(await stack.storage.listParts(key, multipartUploadId)).toEqual([
      expect.objectContaining({ partNumber: 1, size: body.length }),
    ]);
  });

  it.each([
    ['no Content-Type', {}],
    ['the type the browser knows (video/avi where init recorded video/x-msvideo)', { 'content-type': 'video/avi' }],
    ['application/octet-stream', { 'content-type': 'application/octet-stream' }],
    ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
  ])('takes the PUT with %s, and the video keeps the type recorded at init', async (_name, headers) => {
    const body = randomFile(5000);
    const { s, key } = await initOne(body, 'video/x-msvideo');
    expect((await putTo(s.presignedUrls[0], body, headers)).status).toBe(200);
    const done = await stack.api.complete(s.uploadId);
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({ contentType: 'video/x-msvideo', size: body.length });
    expect(await sha256OfStream(await stack.storage.readRange(key, 0))).toBe(sha256(body));
  });

  it("refuses a PUT to the URL once the upload is completed: the stored bytes stay the video's", async () => {
    const body = randomFile(8192);
    const { s, key } = await initOne(body, 'video/mp4');
    expect((await putTo(s.presignedUrls[0], body)).status).toBe(200);
    expect((await stack.api.complete(s.uploadId)).status).toBe(200);
    const overwrite = await putTo(s.presignedUrls[0], randomFile(body.length));
    expect(overwrite.status).toBeGreaterThanOrEqual(400);
    expect(overwrite.status).toBeLessThan(500);
    expect(await sha256OfStream(await stack.storage.readRange(key, 0))).toBe(sha256(body));
  });
});

describe('headers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk', env: { CORS_ORIGINS: 'https://app.example.com' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('sends security headers and allows only the configured origins', async () => {
    const health = await request(`${stack.url}/health`);
    await health.body.text();
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['strict-transport-security']).toBeDefined();
    // JSON answers are never cached or framed; Swagger UI gets helmet's page headers instead.
    const progress = await stack.api.progress('6f1c1c1e-0000-4000-8000-000000000000');
    expect(progress.headers['cache-control']).toBe('no-store');
    expect(progress.headers['x-frame-options']).toBe('DENY');
    const docs = await request(`${stack.url}/docs`);
    await docs.body.text();
    expect(docs.headers['content-security-policy']).toContain("script-src 'self' 'unsafe-inline'");
    expect(docs.headers['cache-control']).toBeUndefined();
    const preflight = (origin: string) =>
      request(`${stack.url}/api/v1/videos/batch/init`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.example.com');
    await allowed.body.text();
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers.vary).toBe('Origin');
    const other = await preflight('https://evil.example.com');
    await other.body.text();
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The actual requests: the allowed origin may read the answer, another may not; caches keep them apart.
    const from = (origin: string) =>
      stack.api.call('GET', '/api/v1/videos/batch/progress/6f1c1c1e-0000-4000-8000-000000000000', {
        headers: { origin },
      });
    const mine = await from('https://app.example.com');
    expect(mine.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(mine.headers.vary).toBe('Origin');
    const theirs = await from('https://evil.example.com');
    expect(theirs.headers['access-control-allow-origin']).toBeUndefined();
    expect(theirs.headers.vary).toBe('Origin');
  });

  it('keeps filenames as harmless display text', async () => {
    const res = await stack.api.init({
      channel_id: '1',
      files: [{ filename: '../../etc/passwd\u0000\u202eevil\r\nX-Injected: 1.mp4', size: 10 }],
    });
    expect(res.status).toBe(201);
    const name = res.body.data![0].filename;
    expect(name).toBe('.._.._etc_passwdevilX-Injected: 1.mp4');
    const { rows } = await stack.db.query<{ filename: string; storage_key: string }>(
      'SELECT filename, storage_key FROM upload_sessions WHERE id = $1',
      [res.body.data![0].uploadId],
    );
    expect(rows[0].filename).toBe(name);
    expect(rows[0].storage_key).toBe(`videos/${res.body.data![0].fileId}/source`);
  });
});
