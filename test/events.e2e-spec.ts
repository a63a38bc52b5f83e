/**
 * Live events (issue 19): Server-Sent Events of a batch and of one upload, read in Node over HTTP from
 * two API instances and a worker on one PostgreSQL, Redis and radosgw bucket. A client reads from one
 * instance, goes away mid-batch and comes back on the other with Last-Event-ID: no event is lost or
 * repeated, compared with a third reading from the start. Parts PUT straight to storage show as progress
 * events with no page polling; processing ends in video.ready (metadata, a thumbnail that loads) and
 * video.failed (the reason). The query token works for its batch's streams only, and not once expired.
 * An API stopping ends its streams instead of waiting for them.
 */
import type { Browser, Page } from 'playwright-core';
import { ApiClient } from './support/api-client.js';
import { freePort, keepScreenshot, launchChromium, type PageServer, servePages } from './support/browser.js';
import { Cluster, exited } from './support/cluster.js';
import { chunkOf, putTo, randomFile } from './support/files.js';
import { makeVideo } from './support/media.js';
import { SseReader, type SseEvent } from './support/sse.js';
import { MiB } from './support/stack.js';

const EVENTS = '/api/v1/videos/batch';
const TYPES = ['progress', 'chunk.failed', 'upload.completed', 'processing.started', 'video.ready', 'video.failed'];

/** Chromium's own EventSource, in a page on an origin of its own: it opens streams and keeps every event. */
const PAGE_SCRIPT = `
  window.seen = [];
  window.openStream = (url) => new Promise((resolve, reject) => {
    window.stream?.close();
    const es = new EventSource(url);
    window.stream = es;
    for (const type of ${JSON.stringify([...TYPES, 'batch.completed'])})
      es.addEventListener(type, (m) => window.seen.push({ id: m.lastEventId, event: type, data: JSON.parse(m.data) }));
    es.onopen = () => resolve('open');
    es.onerror = () => { if (es.readyState === EventSource.CLOSED) reject(new Error('the stream was refused')); };
  });
  window.closeStream = () => window.stream.close();
`;

describe('live events of a batch (SSE) across two API instances', () => {
  let cluster: Cluster;
  let alice: string;

  beforeAll(async () => {
    cluster = await Cluster.start({
      driver: 's3',
      apis: 2,
      workers: 1,
      env: { PROGRESS_SYNC_INTERVAL_MS: '300', EVENTS_POLL_INTERVAL_MS: '50', EVENTS_HEARTBEAT_SECONDS: '1' },
    });
    alice = await cluster.stack.token('alice');
  }, 60_000);
  afterAll(async () => cluster?.stop());

  const api = (i: number, token = alice) => new ApiClient(cluster.apis[i].url, token);
  const open = async (i: number, path: string, headers: Record<string, string> = {}) => {
    const opened = await SseReader.open(`${cluster.apis[i].url}${path}`, {
      authorization: `Bearer ${alice}`,
      ...headers,
    });
    if (!opened.reader) throw new Error(`${path} answered ${opened.status}: ${JSON.stringify(opened.body)}`);
    return opened.reader;
  };
  const about = (uploadId: string, type: string) => (e: SseEvent) => e.event === type && e.data.uploadId === uploadId;

  it('follows a batch from one instance to the other with Last-Event-ID, losing and repeating nothing', async () => {
    const clip = await makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: false });
    const noise = randomFile(11 * MiB); // 3 chunks: 5, 5 and 1 MiB
    const init = await api(0).init({
      channel_id: 'c1',
      files: [
        { filename: 'clip.mp4', size: clip.length, type: 'video/mp4' },
        { filename: 'noise.mp4', size: noise.length, type: 'video/mp4' },
      ],
    });
    expect(init.status).toBe(201);
    const [c, n] = init.body.data!;
    const batchId = c.batchId;

    // First connection, on api-1: a part PUT straight to storage shows as progress with nobody polling.
    const first = await open(0, `${EVENTS}/${batchId}/events`);
    expect((await putTo(n.presignedUrls[0], chunkOf(noise, n.chunkSize, 0))).status).toBe(200);
    const learned = await first.waitFor(
      (e) => about(n.uploadId, 'progress')(e) && e.data.completedCount === 1,
      'progress of a presigned part',
    );
    expect(learned.data).toMatchObject({
      batchId,
      progress: 45,
      totalChunks: 3,
      bytesStored: 5 * MiB,
      status: 'uploading',
    });
    // The opening comment, then heartbeats (EVENTS_HEARTBEAT_SECONDS=1).
    await new Promise((r) => setTimeout(r, 1_200));
    expect(first.comments).toBeGreaterThanOrEqual(2);
    const lastSeen = first.events.at(-1)!.id;
    first.close();

    // Meanwhile, with no one listening: a chunk through api-2, the other parts straight to storage.
    expect((await api(1).chunkRaw(n.uploadId, 1, chunkOf(noise, n.chunkSize, 1))).status).toBe(200);
    expect((await putTo(n.presignedUrls[2], chunkOf(noise, n.chunkSize, 2))).status).toBe(200);
    expect((await putTo(c.presignedUrls[0], clip)).status).toBe(200);

    // Back, on api-2, from the last event seen.
    const second = await open(1, `${EVENTS}/${batchId}/events`, { 'last-event-id': lastSeen });
    await second.waitFor((e) => about(n.uploadId, 'progress')(e) && e.data.completedCount === 3, 'noise fully stored');
    await second.waitFor((e) => about(c.uploadId, 'progress')(e) && e.data.progress === 100, 'clip stored');
    expect((await api(1).complete(c.uploadId)).status).toBe(200);
    expect((await api(0).complete(n.uploadId)).status).toBe(200);

    const completed = await second.waitFor(about(c.uploadId, 'upload.completed'), 'clip completed');
    expect(completed.data).toMatchObject({ filename: 'clip.mp4', size: clip.length, contentType: 'video/mp4' });
    const ended = await second.waitFor((e) => e.event === 'batch.completed', 'batch.completed');
    expect(ended.data.uploads).toEqual(
      expect.arrayContaining([
        { uploadId: c.uploadId, filename: 'clip.mp4', state: 'completed', videoId: completed.data.videoId },
        expect.objectContaining({ uploadId: n.uploadId, state: 'completed' }),
      ]),
    );
    await second.waitFor(about(c.uploadId, 'processing.started'), 'clip processing');
    const ready = await second.waitFor(about(c.uploadId, 'video.ready'), 'clip ready', 40_000);
    expect(ready.data.metadata).toMatchObject({ width: 320, height: 240, videoCodec: 'h264', container: 'mp4' });
    const thumbnail = await fetch(ready.data.thumbnailUrl as string);
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    const failed = await second.waitFor(about(n.uploadId, 'video.failed'), 'noise failed', 40_000);
    expect(failed.data.reason).toEqual(expect.any(String));
    expect(String(failed.data.reason).length).toBeGreaterThan(10);

    // A reading from the start holds exactly the first connection's events, then the second's.
    const whole = await open(0, `${EVENTS}/${batchId}/events`);
    const lastOfSecond = second.events.at(-1)!.id;
    await whole.waitFor((e) => e.id === lastOfSecond, 'the second reading’s last event');
    const seen = [...first.events, ...second.events].map((e) => e.id);
    expect(whole.events.map((e) => e.id).slice(0, seen.length)).toEqual(seen);
    expect(new Set(seen).size).toBe(seen.length);
    // Each chunk through the API is one progress event.
    expect(whole.events.filter((e) => about(n.uploadId, 'progress')(e)).length).toBeGreaterThanOrEqual(3);
    second.close();
    whole.close();
  }, 90_000);

  it('takes a token in the query for its own batch only, and not once expired', async () => {
    const bytes = randomFile(MiB);
    const one = (await api(0).init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: bytes.length }] })).body
      .data![0];
    const other = (await api(0).init({ channel_id: 'c1', files: [{ filename: 'b.mp4', size: bytes.length }] })).body
      .data![0];
    const mint = (batchId: string, client = api(0)) =>
      client.call<{ token: string; expiresAt: string }>('POST', `${EVENTS}/${batchId}/events/token`);
    const minted = await mint(one.batchId);
    expect(minted.status).toBe(201);
    const { token, expiresAt } = minted.body.data!;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(200_000); // EVENTS_TOKEN_TTL_SECONDS, 300 s

    // EventSource's way: no header, the token in the query, on either instance, from any origin.
    const url = (i: number, path: string) => `${cluster.apis[i].url}${path}`;
    const byToken = await SseReader.open(url(1, `${EVENTS}/events/${one.uploadId}?token=${token}`), {
      origin: 'https://app.example.com',
    });
    expect(byToken.status).toBe(200);
    expect(byToken.headers['access-control-allow-origin']).toBe('*');
    expect(byToken.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await putTo(one.presignedUrls[0], bytes);
    await putTo(other.presignedUrls[0], bytes);
    await byToken.reader!.waitFor(about(one.uploadId, 'progress'), 'progress of its upload');
    expect((await api(1).complete(one.uploadId)).status).toBe(200);
    await byToken.reader!.waitFor((e) => e.event === 'batch.completed', 'batch.completed');
    expect(byToken.reader!.events.every((e) => e.event === 'batch.completed' || e.data.uploadId === one.uploadId)).toBe(
      true,
    );
    byToken.reader!.close();

    const refused = async (path: string) => (await SseReader.open(url(0, path))).status;
    // Another batch (and an upload of another batch), another route, a made-up token.
    expect(await refused(`${EVENTS}/${other.batchId}/events?token=${token}`)).toBe(401);
    expect(await refused(`${EVENTS}/events/${other.uploadId}?token=${token}`)).toBe(401);
    expect(
      (await new ApiClient(cluster.apis[0].url).call('GET', `${EVENTS}/progress/${one.uploadId}?token=${token}`))
        .status,
    ).toBe(401);
    expect(
      (await new ApiClient(cluster.apis[0].url).call('POST', `${EVENTS}/${one.batchId}/events/token?token=${token}`))
        .status,
    ).toBe(401);
    expect(await refused(`${EVENTS}/${one.batchId}/events?token=${'x'.repeat(43)}`)).toBe(401);
    // Expired (a fresh token, never used, so no instance remembers it).
    const stale = (await mint(one.batchId)).body.data!.token;
    await cluster.stack.db.query(`UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE scope = $1`, [
      one.batchId,
    ]);
    const expired = await SseReader.open(url(1, `${EVENTS}/${one.batchId}/events?token=${stale}`));
    expect(expired).toMatchObject({ status: 401, body: { success: false, error: { code: 'UNAUTHORIZED' } } });

    // Another user neither mints for nor reads someone else's batch; a bad Last-Event-ID is refused.
    const bob = api(0, await cluster.stack.token('bob'));
    expect((await mint(one.batchId, bob)).body.error?.code).toBe('BATCH_NOT_FOUND');
    const bobReads = await SseReader.open(url(0, `${EVENTS}/${one.batchId}/events`), {
      authorization: `Bearer ${bob.token}`,
    });
    expect(bobReads).toMatchObject({ status: 404, body: { error: { code: 'BATCH_NOT_FOUND' } } });
    const badId = await SseReader.open(url(0, `${EVENTS}/${one.batchId}/events?token=${token}`), {
      'last-event-id': 'nope',
    });
    expect(badId).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  }, 60_000);

  describe('in Chromium', () => {
    let browser: Browser;
    let pages: PageServer;
    let page: Page;
    beforeAll(async () => {
      browser = await launchChromium();
      pages = await servePages(`${process.cwd()}/test/browser/page`, await freePort());
    });
    afterAll(async () => {
      await browser?.close();
      await pages?.close();
    });

    const seen = () => page.evaluate<SseEvent[]>('window.seen');
    const waitInPage = async (check: (e: SseEvent) => boolean, what: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = (await seen()).find(check);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`timed out waiting in Chromium for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    it('reads a batch with EventSource, switching instances mid-batch without losing an event', async () => {
      page = await browser.newPage();
      await page.goto(`${pages.origin}/`);
      await page.addScriptTag({ content: PAGE_SCRIPT });
      const noise = randomFile(11 * MiB);
      const n = (await api(0).init({ channel_id: 'c1', files: [{ filename: 'n.mp4', size: noise.length }] })).body
        .data![0];
      const token = (await api(0).call<{ token: string }>('POST', `${EVENTS}/${n.batchId}/events/token`)).body.data!
        .token;
      const streamUrl = (i: number, after?: string) =>
        `${cluster.apis[i].url}${EVENTS}/${n.batchId}/events?token=${token}${after ? `&lastEventId=${after}` : ''}`;

      expect(await page.evaluate(`window.openStream(${JSON.stringify(streamUrl(0))})`)).toBe('open');
      expect((await putTo(n.presignedUrls[0], chunkOf(noise, n.chunkSize, 0))).status).toBe(200);
      await waitInPage((e) => about(n.uploadId, 'progress')(e) && e.data.completedCount === 1, 'a presigned part');
      await page.evaluate('window.closeStream()');
      const lastSeen = (await seen()).at(-1)!.id;

      expect((await api(1).chunkRaw(n.uploadId, 1, chunkOf(noise, n.chunkSize, 1))).status).toBe(200);
      expect((await api(0).chunkRaw(n.uploadId, 2, chunkOf(noise, n.chunkSize, 2))).status).toBe(200);
      expect(await page.evaluate(`window.openStream(${JSON.stringify(streamUrl(1, lastSeen))})`)).toBe('open');
      expect((await api(1).complete(n.uploadId)).status).toBe(200);
      await waitInPage(about(n.uploadId, 'video.failed'), 'video.failed');
      await waitInPage((e) => e.event === 'batch.completed', 'batch.completed');
      await keepScreenshot(page, 'events-eventsource');

      const inPage = await seen();
      const whole = await open(0, `${EVENTS}/${n.batchId}/events`);
      await whole.waitFor((e) => e.id === inPage.at(-1)!.id, 'the last event the page saw');
      expect(inPage.map((e) => e.id)).toEqual(whole.events.map((e) => e.id).slice(0, inPage.length));
      expect(inPage.map((e) => e.data)).toEqual(whole.events.map((e) => e.data).slice(0, inPage.length));
      whole.close();
      await page.close();
    }, 60_000);
  });

  it('ends its open streams when an API stops, instead of waiting for them', async () => {
    const node = await cluster.addApi();
    const bytes = randomFile(MiB);
    const s = (await api(0).init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: bytes.length }] })).body
      .data![0];
    const opened = await SseReader.open(`${node.url}${EVENTS}/${s.batchId}/events`, {
      authorization: `Bearer ${alice}`,
    });
    expect(opened.status).toBe(200);
    const started = Date.now();
    await cluster.stopGracefully(node);
    await exited(node.process);
    expect(Date.now() - started).toBeLessThan(5_000);
    await opened.reader!.waitForEnd(2_000);
  }, 30_000);
});
