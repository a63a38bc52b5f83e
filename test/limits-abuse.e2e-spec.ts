/** Limits against abuse: per-user rate limits, the cap on open uploads, presigned URLs bound to their body, headers. */
import { request } from 'undici';
import { DRIVERS, startStack, type Stack } from './support/stack.js';
import { putTo, randomFile } from './support/files.js';

const file = { filename: 'a.mp4', size: 1000, type: 'video/mp4' };

describe('rate limits and the open-upload cap', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk', env: { RATE_LIMIT_WINDOW_SECONDS: '2', RATE_LIMIT_INIT: '3', RATE_LIMIT_COMPLETE: '2', UPLOAD_MAX_OPEN_SESSIONS_PER_USER: '4' } });
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
    expect(limited.headers['retry-after']).toBeDefined();
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
    expect((await putTo(s.presignedUrls[0], randomFile(1000), { 'content-type': 'video/mp4' })).status).toBe(200);
    expect((await hank.complete(s.uploadId)).status).toBe(200);
    expect((await hank.init({ channel_id: '1', files: [file, file] })).status).toBe(201);
  });
});

describe.each(DRIVERS)('a presigned single-PUT URL on the %s driver', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('refuses a body of another size or type, stores nothing, then takes the right one', async () => {
    const body = randomFile(4096);
    const s = (await stack.api.init({ channel_id: '1', files: [{ filename: 'a.mp4', size: body.length, type: 'video/mp4' }] })).body.data![0];
    const url = s.presignedUrls[0];
    for (const wrong of [body.subarray(1), Buffer.concat([body, Buffer.from('x')])]) {
      const res = await putTo(url, wrong, { 'content-type': 'video/mp4' });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect((await putTo(url, body, { 'content-type': 'text/html' })).status).toBe(403);
    expect(await stack.storage.head(`videos/${s.fileId}/source`)).toBeNull();
    expect((await putTo(url, body, { 'content-type': 'video/mp4' })).status).toBe(200);
    expect((await stack.storage.head(`videos/${s.fileId}/source`))?.size).toBe(body.length);
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
      request(`${stack.url}/api/v1/videos/batch/init`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const allowed = await preflight('https://app.example.com');
    await allowed.body.text();
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers.vary).toBe('Origin');
    const other = await preflight('https://evil.example.com');
    await other.body.text();
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // The actual requests: the allowed origin may read the answer, another may not; caches keep them apart.
    const from = (origin: string) => stack.api.call('GET', '/api/v1/videos/batch/progress/6f1c1c1e-0000-4000-8000-000000000000', { headers: { origin } });
    const mine = await from('https://app.example.com');
    expect(mine.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(mine.headers.vary).toBe('Origin');
    const theirs = await from('https://evil.example.com');
    expect(theirs.headers['access-control-allow-origin']).toBeUndefined();
    expect(theirs.headers.vary).toBe('Origin');
  });

  it('keeps filenames as harmless display text', async () => {
    const res = await stack.api.init({ channel_id: '1', files: [{ filename: '../../etc/passwd\u0000\u202eevil\r\nX-Injected: 1.mp4', size: 10 }] });
    expect(res.status).toBe(201);
    const name = res.body.data![0].filename as string;
    expect(name).toBe('.._.._etc_passwdevilX-Injected: 1.mp4');
    const { rows } = await stack.db.query('SELECT filename, storage_key FROM upload_sessions WHERE id = $1', [res.body.data![0].uploadId]);
    expect(rows[0].filename).toBe(name);
    expect(rows[0].storage_key).toBe(`videos/${res.body.data![0].fileId}/source`);
  });
});
