/**
 * What an operator watches, on the s3 driver in production mode, through uploads that complete, fail in
 * processing, are aborted, expire, and go through Uppy's routes:
 * - /metrics on the API and on the worker's health port moves with them, and answers only to the token;
 *   with METRICS_PORT the API serves it on that port only;
 * - every log line is JSON, and the worker's line for an upload carries the request id of its complete;
 * - no line carries a presigned URL's signature, a JWT, the Uppy token, or the database's or Redis's
 *   password, although all of them went through the apps.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { ApiClient } from './support/api-client.js';
import { eventually, putTo } from './support/files.js';
import { makeVideo } from './support/media.js';
import { PrivateRedis } from './support/private-redis.js';
import { freePort, startStack, type Stack } from './support/stack.js';

const METRICS_TOKEN = randomBytes(24).toString('hex');
const REDIS_PASSWORD = `redis-pw-${randomBytes(6).toString('hex')}`;
const DB_PASSWORD = `db-pw-${randomBytes(6).toString('hex')}`;
const CHUNK_ROUTE = '/api/v1/videos/batch/chunk/:uploadId/:chunkIndex';
const COMPLETE_ROUTE = '/api/v1/videos/batch/complete/:uploadId';

/** A sample's key: its name and its labels sorted, `name{a="1",b="2"}`. */
function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`);
  return pairs.length ? `${name}{${pairs.join(',')}}` : name;
}

/** Prometheus text format: every sample by sampleKey (comment lines skipped). */
function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.set(sampleKey(match[1], labels), Number(match[3]));
  }
  return samples;
}

/** GET /metrics with `Bearer <token>`, or with no Authorization header for `null`. */
async function scrape(url: string, token: string | null = METRICS_TOKEN): Promise<{ status: number; text: string }> {
  const res = await request(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.statusCode, text: await res.body.text() };
}

class Metrics {
  private constructor(private readonly samples: Map<string, number>) {}

  static async of(url: string): Promise<Metrics> {
    const { status, text } = await scrape(url);
    expect(status).toBe(200);
    return new Metrics(parseSamples(text));
  }

  value(name: string, labels?: Record<string, string>): number {
    return this.samples.get(sampleKey(name, labels)) ?? 0;
  }

  /** How much a sample grew since `before`. */
  since(before: Metrics, name: string, labels?: Record<string, string>): number {
    return this.value(name, labels) - before.value(name, labels);
  }
}

interface LogLine {
  level: string;
  time: string;
  app: string;
  msg: string;
  context?: string;
  reqId?: string;
  route?: string;
}

describe('metrics and logs of the API and the worker in production', () => {
  let redis: PrivateRedis;
  let stack: Stack;
  let api: ApiClient;
  let apiMetrics: string;
  let workerMetrics: string;
  let jwt: string;

  beforeAll(async () => {
    // Passwords in both URLs: Redis requires its own, PostgreSQL (trusting local connections) ignores it.
    redis = new PrivateRedis(REDIS_PASSWORD);
    const redisUrl = await redis.start();
    stack = await startStack({
      driver: 's3',
      env: { NODE_ENV: 'production', LOG_LEVEL: 'log', REDIS_URL: redisUrl, METRICS_TOKEN },
    });
    const env = {
      DATABASE_URL: stack.env.DATABASE_URL.replace('postgres@', `postgres:${DB_PASSWORD}@`),
      WORKER_CLEANUP_INTERVAL_SECONDS: '1',
    };
    expect(env.DATABASE_URL).toContain(DB_PASSWORD);
    const instance = await stack.startApi(env);
    jwt = await stack.token('alice');
    api = new ApiClient(instance.url, jwt);
    apiMetrics = `${instance.url}/metrics`;
    const healthPort = await freePort();
    await stack.startWorker({ ...env, WORKER_HEALTH_PORT: String(healthPort) });
    workerMetrics = `http://127.0.0.1:${healthPort}/metrics`;
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  const videoStatus = async (videoId: string) =>
    (await stack.db.query<{ status: string }>('SELECT status FROM videos WHERE id = $1', [videoId])).rows[0]?.status;

  it('answers /metrics only to the token, on the API port and on the worker health port', async () => {
    for (const url of [apiMetrics, workerMetrics]) {
      expect((await scrape(url, null)).status).toBe(401);
      expect((await scrape(url, 'not-the-token-at-all')).status).toBe(401);
      const answer = await scrape(url);
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/^process_cpu_user_seconds_total /m);
    }
  });

  it('serves /metrics on METRICS_PORT only when it is set', async () => {
    const metricsPort = await freePort();
    const instance = await stack.startApi({ METRICS_PORT: String(metricsPort) });
    expect((await scrape(`${instance.url}/metrics`)).status).toBe(404);
    expect((await scrape(`http://127.0.0.1:${metricsPort}/metrics`, null)).status).toBe(401);
    const answer = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('reelay_http_request_duration_seconds');
  });

  it('counts an upload through init, its chunk, complete and processing; the worker logs with its request id', async () => {
    const before = { api: await Metrics.of(apiMetrics), worker: await Metrics.of(workerMetrics) };
    const video = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    const init = await api.init({
      channel_id: '123',
      files: [{ filename: 'a.mp4', type: 'video/mp4', size: video.length }],
    });
    expect(init.status).toBe(201);
    const session = init.body.data![0];
    expect(session.presignedUrls[0]).toContain('X-Amz-Signature=');
    const afterInit = await Metrics.of(apiMetrics);
    expect(afterInit.since(before.api, 'reelay_upload_sessions_open')).toBe(1);
    expect(afterInit.since(before.api, 'reelay_uploads_started_total', { via: 'batch' })).toBe(1);

    expect((await api.chunkRaw(session.uploadId, 0, video)).status).toBe(200);
    const requestId = `complete-${randomUUID()}`;
    const done = await api.call<{ videoId: string }>('POST', `/api/v1/videos/batch/complete/${session.uploadId}`, {
      headers: { 'x-request-id': requestId },
    });
    expect(done.status).toBe(200);
    expect(done.headers['x-request-id']).toBe(requestId);
    const { videoId } = done.body.data!;
    expect(
      await eventually(
        () => videoStatus(videoId),
        (s) => s === 'ready',
      ),
    ).toBe('ready');

    const after = { api: await Metrics.of(apiMetrics), worker: await Metrics.of(workerMetrics) };
    const http = (route: string) => ({ method: 'POST', route, status: '200' });
    expect(after.api.since(before.api, 'reelay_http_request_duration_seconds_count', http(CHUNK_ROUTE))).toBe(1);
    expect(after.api.since(before.api, 'reelay_http_request_duration_seconds_count', http(COMPLETE_ROUTE))).toBe(1);
    expect(after.api.since(before.api, 'reelay_http_request_body_bytes_total', { route: CHUNK_ROUTE })).toBe(
      video.length,
    );
    expect(after.api.since(before.api, 'reelay_uploads_completed_total')).toBe(1);
    expect(after.api.since(before.api, 'reelay_upload_sessions_open')).toBe(0);
    const storage = (operation: string) => ({ operation, outcome: 'ok' });
    for (const operation of ['createMultipart', 'uploadPart', 'completeMultipart'])
      expect(after.api.since(before.api, 'reelay_storage_operation_duration_seconds_count', storage(operation))).toBe(
        1,
      );
    expect(after.api.value('reelay_queue_jobs', { queue: 'video-processing', state: 'waiting' })).toBe(0);
    const job = { queue: 'video-processing', outcome: 'completed' };
    expect(after.worker.since(before.worker, 'reelay_job_duration_seconds_count', job)).toBe(1);
    expect(
      after.worker.since(before.worker, 'reelay_storage_operation_duration_seconds_count', storage('putObject')),
    ).toBe(1);
    // Labels name routes, never ids.
    expect((await scrape(apiMetrics)).text).not.toContain(session.uploadId);

    const lines = logLines();
    const access = lines.find((l) => l.context === 'HTTP' && l.route === COMPLETE_ROUTE && l.reqId === requestId);
    expect(access).toMatchObject({ level: 'info', app: 'api' });
    const workerLine = lines.find((l) => l.app === 'worker' && l.msg.startsWith(`video ${videoId} ready`));
    expect(workerLine).toMatchObject({ reqId: requestId, level: 'info', context: 'ProcessVideoProcessor' });
  });

  it('counts a video that fails processing, an aborted upload and an expired one', async () => {
    const before = { api: await Metrics.of(apiMetrics), worker: await Metrics.of(workerMetrics) };
    const file = (name: string) => ({ filename: name, type: 'video/mp4', size: 1000 });
    const init = await api.init({ channel_id: '123', files: [file('junk.mp4'), file('gone.mp4'), file('old.mp4')] });
    const [junk, gone, old] = init.body.data!;
    expect((await putTo(junk.presignedUrls[0], randomBytes(1000))).status).toBe(200);
    const done = await api.complete(junk.uploadId);
    expect(done.status).toBe(200);
    expect((await api.abort(gone.uploadId)).status).toBe(200);
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 minute' WHERE id = $1`, [
      old.uploadId,
    ]);
    expect(
      await eventually(
        () => videoStatus(done.body.data!.videoId),
        (s) => s === 'failed',
      ),
    ).toBe('failed');
    const expired = await eventually(
      async () => (await Metrics.of(workerMetrics)).since(before.worker, 'reelay_uploads_expired_total'),
      (n) => n >= 1,
    );
    expect(expired).toBe(1);

    const after = { api: await Metrics.of(apiMetrics), worker: await Metrics.of(workerMetrics) };
    expect(after.api.since(before.api, 'reelay_uploads_started_total', { via: 'batch' })).toBe(3);
    expect(after.api.since(before.api, 'reelay_uploads_aborted_total')).toBe(1);
    expect(after.worker.since(before.worker, 'reelay_uploads_failed_total', { reason: 'rejected' })).toBe(1);
    const failedJob = { queue: 'video-processing', outcome: 'failed' };
    expect(after.worker.since(before.worker, 'reelay_job_duration_seconds_count', failedJob)).toBe(1);
    expect(after.worker.since(before.worker, 'reelay_job_failures_total', { queue: 'video-processing' })).toBe(1);
  });

  it('writes JSON lines only, and none carries a signature, a token or a password', async () => {
    // Uppy's routes: an endpoint minted with the JWT, a part URL signed, the upload given up.
    const minted = await api.call<{ companionEndpoint: string }>('POST', '/api/v1/uppy/endpoints');
    expect(minted.status).toBe(201);
    const endpoint = minted.body.data!.companionEndpoint;
    const uppyToken = endpoint.split('/').pop()!;
    const created = await request(`${endpoint}/s3/multipart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'u.mp4', type: 'video/mp4', metadata: { channel_id: '7' } }),
    });
    const { key, uploadId } = (await created.body.json()) as { key: string; uploadId: string };
    const signed = await request(`${endpoint}/s3/multipart/${uploadId}/1?key=${encodeURIComponent(key)}`);
    expect(((await signed.body.json()) as { url: string }).url).toContain('X-Amz-Signature=');
    expect((await request(`${endpoint}/s3/multipart/${uploadId}?key=${key}`, { method: 'DELETE' })).statusCode).toBe(
      200,
    );
    // A token where no token belongs: in a query string, and a wrong one in a header.
    await api.call('GET', `/api/v1/videos/batch/progress/${uploadId}?token=${jwt}`);
    await new ApiClient(api.baseUrl, `${jwt}x`).call('GET', `/api/v1/videos/batch/progress/${uploadId}`);

    const output = stack.logs();
    const lines = logLines();
    expect(lines.length).toBeGreaterThan(20);
    expect(lines.some((l) => l.route === '/api/v1/uppy/:token/s3/multipart/:uploadId/:partNumber')).toBe(true);
    expect(output).not.toMatch(/X-Amz-Signature=(?!\[redacted\])/i);
    for (const secret of [jwt, uppyToken, DB_PASSWORD, REDIS_PASSWORD, METRICS_TOKEN])
      expect(output).not.toContain(secret);
  });

  /** Every line the stack's apps wrote, parsed: a line that is not a JSON object fails the test. */
  function logLines(): LogLine[] {
    return stack
      .logs()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          throw new Error(`a log line is not JSON: ${line}`);
        }
        const fields = parsed as Partial<LogLine>;
        expect([typeof fields.level, typeof fields.time, typeof fields.app, typeof fields.msg]).toEqual(
          Array(4).fill('string'),
        );
        return parsed as LogLine;
      });
  }
});
