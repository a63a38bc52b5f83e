/**
 * Webhooks (issue 19): an owner registers endpoints; the worker delivers upload.completed, video.failed
 * and batch.completed to a local receiver that fails the first two attempts of each message, then
 * accepts. Every delivery is verified with the `standardwebhooks` package's Webhook.verify (the Standard
 * Webhooks reference verifier), keeps its webhook-id across attempts, and each attempt is recorded and
 * readable by the owner only. An endpoint that does not answer times out; a URL that is not http(s) is
 * refused with 400.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { eventually, putTo, randomFile } from './support/files.js';
import { MiB, startStack, type Stack } from './support/stack.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

interface Delivery {
  messageId: string;
  eventType: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  succeeded: boolean;
}

/** Answers 500 to the first two attempts of each message on /hooks, 204 after; never answers on /slow. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (piece: string) => (body += piece));
    req.on('end', () => {
      if (req.url === '/slow') return;
      const earlier = received.filter((r) => r.headers['webhook-id'] === req.headers['webhook-id']).length;
      const answered = earlier < 2 ? 500 : 204;
      received.push({ path: req.url ?? '', headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('webhooks: signed deliveries with retries, recorded for their owner', () => {
  let stack: Stack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    receiver = await startReceiver();
    stack = await startStack({
      driver: 'disk',
      worker: true,
      // The receiver is on 127.0.0.1: allowed here; the default refuses it (below).
      env: {
        WEBHOOK_BACKOFF_MS: '200',
        WEBHOOK_TIMEOUT_MS: '500',
        WEBHOOK_ATTEMPTS: '4',
        WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true',
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    receiver?.server.closeAllConnections();
    receiver?.server.close();
  });

  it('delivers each event after two refusals, signed, and records every attempt', async () => {
    const created = await stack.api.call<{ id: string; secret: string; events: string[] }>('POST', '/api/v1/webhooks', {
      json: { url: `${receiver.url}/hooks`, description: 'test receiver' },
    });
    expect(created.status).toBe(201);
    const { id, secret } = created.body.data!;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body.data!.events).toEqual(['upload.completed', 'video.ready', 'video.failed', 'batch.completed']);
    const slow = await stack.api.call<{ id: string }>('POST', '/api/v1/webhooks', {
      json: { url: `${receiver.url}/slow`, events: ['batch.completed'] },
    });
    expect(slow.status).toBe(201);

    // Random bytes: the upload completes, the batch with it, and processing fails.
    const bytes = randomFile(MiB);
    const init = await stack.api.init({ channel_id: 'c1', files: [{ filename: 'noise.mp4', size: bytes.length }] });
    const s = init.body.data![0];
    expect((await putTo(s.presignedUrls[0], bytes)).status).toBe(200);
    const video = (await stack.api.complete(s.uploadId)).body.data!;

    const accepted = await eventually(
      () => Promise.resolve(receiver.received.filter((r) => r.answered === 204 && r.path === '/hooks')),
      (list) => list.length === 3,
      30_000,
    );
    const verifier = new Webhook(secret);
    const payloads = accepted.map((r) => verifier.verify(r.body, r.headers as Record<string, string>)) as Array<{
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    }>;
    expect(payloads.map((p) => p.type).sort()).toEqual(['batch.completed', 'upload.completed', 'video.failed']);
    const byType = Object.fromEntries(payloads.map((p) => [p.type, p]));
    expect(byType['upload.completed'].data).toMatchObject({
      batchId: s.batchId,
      uploadId: s.uploadId,
      videoId: video.videoId,
      filename: 'noise.mp4',
      size: MiB,
    });
    expect(byType['video.failed'].data).toMatchObject({ videoId: video.videoId, reason: expect.any(String) as string });
    expect(byType['batch.completed'].data).toMatchObject({
      batchId: s.batchId,
      uploads: [{ uploadId: s.uploadId, state: 'completed', videoId: video.videoId, filename: 'noise.mp4' }],
    });
    expect(Date.parse(byType['upload.completed'].timestamp)).toBeGreaterThan(Date.now() - 60_000);
    // The signature holds for this secret only, and for these bytes only.
    const first = accepted[0];
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(24, 7).toString('base64')}`).verify(
        first.body,
        first.headers as Record<string, string>,
      ),
    ).toThrow(WebhookVerificationError);
    expect(() => verifier.verify(first.body.replace('}', ' }'), first.headers as Record<string, string>)).toThrow(
      WebhookVerificationError,
    );
    // Every attempt of a message carries the same webhook-id.
    for (const r of accepted) {
      const attempts = receiver.received.filter((x) => x.headers['webhook-id'] === r.headers['webhook-id']);
      expect(attempts.map((a) => a.answered)).toEqual([500, 500, 204]);
    }

    const deliveries = await eventually(
      async () => (await stack.api.call<Delivery[]>('GET', `/api/v1/webhooks/${id}/deliveries`)).body.data ?? [],
      (list) => list.length === 9,
    );
    for (const type of ['upload.completed', 'video.failed', 'batch.completed']) {
      const ofType = deliveries.filter((d) => d.eventType === type).sort((a, b) => a.attempt - b.attempt);
      expect(ofType).toMatchObject([
        { attempt: 1, statusCode: 500, succeeded: false, error: 'the endpoint answered 500' },
        { attempt: 2, statusCode: 500, succeeded: false, error: 'the endpoint answered 500' },
        { attempt: 3, statusCode: 204, succeeded: true, error: null },
      ]);
      expect(new Set(ofType.map((d) => d.messageId)).size).toBe(1);
    }

    const timedOut = await eventually(
      async () =>
        (await stack.api.call<Delivery[]>('GET', `/api/v1/webhooks/${slow.body.data!.id}/deliveries`)).body.data ?? [],
      (list) => list.length >= 1,
    );
    expect(timedOut[0]).toMatchObject({ statusCode: null, succeeded: false, error: 'no answer within 500 ms' });
  }, 60_000);

  it('shows endpoints and deliveries to their owner only, and refuses URLs that are not http(s)', async () => {
    const created = await stack.api.call<{ id: string }>('POST', '/api/v1/webhooks', {
      json: { url: 'https://example.com/hook', events: ['video.ready'] },
    });
    const { id } = created.body.data!;
    const listed = await stack.api.call<Array<Record<string, unknown>>>('GET', '/api/v1/webhooks');
    expect(listed.body.data!.find((w) => w.id === id)).toEqual({
      id,
      url: 'https://example.com/hook',
      events: ['video.ready'],
      description: null,
      createdAt: expect.any(String) as string,
    });

    const bob = await stack.as('bob');
    expect((await bob.call('GET', '/api/v1/webhooks')).body.data).toEqual([]);
    expect((await bob.call('GET', `/api/v1/webhooks/${id}/deliveries`)).body.error?.code).toBe('WEBHOOK_NOT_FOUND');
    expect((await bob.call('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(404);

    for (const url of ['ftp://example.com/hook', 'javascript:alert(1)', 'file:///etc/passwd', 'example.com/hook']) {
      const refused = await stack.api.call('POST', '/api/v1/webhooks', { json: { url } });
      expect({ url, status: refused.status, code: refused.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const badType = await stack.api.call('POST', '/api/v1/webhooks', {
      json: { url: 'https://example.com/hook', events: ['progress'] },
    });
    expect(badType.status).toBe(400);

    expect((await stack.api.call('DELETE', `/api/v1/webhooks/${id}`)).status).toBe(200);
    const after = await stack.api.call<Array<{ id: string }>>('GET', '/api/v1/webhooks');
    expect(after.body.data!.map((w) => w.id)).not.toContain(id);
  });
});

describe('webhooks by default: no endpoint inside the network', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk' });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it('refuses localhost and private addresses written in the URL, naming why', async () => {
    for (const url of [
      'http://127.0.0.1:3001/metrics',
      'http://localhost/hook',
      'http://[::1]/hook',
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://192.168.0.10/hook',
    ]) {
      const refused = await stack.api.call('POST', '/api/v1/webhooks', { json: { url } });
      expect({ url, status: refused.status, code: refused.body.error?.code }).toEqual({
        url,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(JSON.stringify(refused.body.error)).toContain('private address');
    }
    const ok = await stack.api.call('POST', '/api/v1/webhooks', { json: { url: 'https://example.com/hook' } });
    expect(ok.status).toBe(201);
  });
});
