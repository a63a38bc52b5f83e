/**
 * The Node SDK (packages/sdk) against the real API and worker, on both drivers, with part URLs that
 * live 5 seconds: a batch of three files with byte-level progress and processing, chunks the network
 * drops, URLs that expire on the way, a run interrupted and run again (only the missing chunks sent),
 * an abort, and the chunk route. Each checks what storage holds against the source and the Video rows.
 * Faults are injected in the transport (the network between the SDK and storage); the server is real.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BatchProgress,
  createReelay,
  fileFromPath,
  NodeTransport,
  type SendRequest,
  type SendResult,
  type Transport,
  type EventSourceConstructor,
  type ServerEvent,
  type UploadEvent,
} from '../packages/sdk/src/node.js';
import { randomFile, sha256, sha256OfStream } from './support/files.js';
import { makeVideo } from './support/media.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

/** The part (1-based) a chunk request is for: the presigned URL's partNumber, or the chunk route's index + 1. */
function partOf(req: SendRequest): number {
  const url = new URL(req.url);
  const part = url.searchParams.get('partNumber');
  return part ? Number(part) : Number(url.pathname.split('/').at(-1)) + 1;
}

type Step = 'pass' | 'drop' | { delayMs: number };

/** NodeTransport with a script that drops or delays requests, as a flaky network would. */
class ScriptedTransport implements Transport {
  readonly sent: SendRequest[] = [];
  private readonly inner = new NodeTransport();
  constructor(private readonly script: (req: SendRequest, n: number) => Step = () => 'pass') {}

  async send(req: SendRequest): Promise<SendResult> {
    this.sent.push(req);
    const step = this.script(req, this.sent.length);
    if (step === 'drop') throw new Error('connection reset (injected)');
    if (typeof step === 'object') await new Promise((r) => setTimeout(r, step.delayMs));
    return this.inner.send(req);
  }
}

describe.each(DRIVERS)('the Node SDK on the %s driver', (driver) => {
  let stack: Stack;
  let dir: string;
  const sources = new Map<string, Buffer>();

  beforeAll(async () => {
    stack = await startStack({ driver, worker: true, env: { UPLOAD_URL_TTL_SECONDS: '5' } });
    dir = await mkdtemp(join(tmpdir(), 'reelay-sdk-'));
    const clip = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
    for (const [name, bytes] of [
      ['big.bin', randomFile(13 * MiB)],
      ['clip.mp4', clip],
      ['small.mov', randomFile(1 * MiB + 3)],
    ] as const) {
      sources.set(name, bytes);
      await writeFile(join(dir, name), bytes);
    }
  }, 60_000);
  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const files = (...names: string[]) => Promise.all(names.map((n) => fileFromPath(join(dir, n))));
  const reelay = (
    transport: Transport,
    extra: { stateFile?: string; fetch?: typeof fetch; eventSource?: EventSourceConstructor | null } = {},
  ) => createReelay({ apiUrl: stack.url, token: stack.api.token!, transport, ...extra });

  /** The stored object of a video, hashed, and the number of Video rows of its upload. */
  async function stored(videoId: string): Promise<{ sha256: string; rows: number }> {
    const { rows } = await stack.db.query<{ storage_key: string }>('SELECT storage_key FROM videos WHERE id = $1', [
      videoId,
    ]);
    return { sha256: await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0)), rows: rows.length };
  }

  it('uploads a batch of three, reports bytes as they go, and waits for processing', async () => {
    const progress: BatchProgress[] = [];
    const result = await reelay(new NodeTransport()).uploadBatch(await files('big.bin', 'clip.mp4', 'small.mov'), {
      channelId: 'c1',
      waitForProcessing: true,
      pollMs: 300,
      onProgress: (p) => progress.push(structuredClone(p)),
    });
    expect(result.files.map((f) => [f.name, f.status])).toEqual([
      ['big.bin', 'failed'],
      ['clip.mp4', 'ready'],
      ['small.mov', 'failed'],
    ]);
    // Random bytes are not videos: processing fails with a reason a person can read; the clip is ready.
    expect(result.files[0].video).toMatchObject({ status: 'failed' });
    expect((result.files[0].video as { failureReason: string }).failureReason).toMatch(/\w/);
    expect(result.files[1].video).toMatchObject({ status: 'ready', width: 160, height: 120 });
    for (const f of result.files) {
      expect(await stored(f.videoId!)).toEqual({ sha256: sha256(sources.get(f.name)!), rows: 1 });
    }
    // Byte-level: the batch's bytes grow through many values below a part's size, and end whole.
    const sent = progress.map((p) => p.bytesSent);
    expect(new Set(sent.filter((b) => b % (5 * MiB) !== 0)).size).toBeGreaterThan(3);
    expect(sent.every((b, i) => i === 0 || b >= sent[i - 1] || progress[i].files.some((f) => f.chunkFailures))).toBe(
      true,
    );
    expect(progress.at(-1)).toMatchObject({ percent: 100, size: 13 * MiB + sources.get('clip.mp4')!.length + MiB + 3 });
    expect(progress.at(-1)!.files.map((f) => f.state)).toEqual(['failed', 'ready', 'failed']);
  });

  /** fetch that counts the video reads (GET /api/v1/videos/:id) and may answer some calls itself. */
  function countingFetch(answer?: (url: string) => Response | undefined) {
    const counts = { videoReads: 0 };
    const wrapped: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (/\/api\/v1\/videos\/[0-9a-f-]{36}$/.test(url)) counts.videoReads++;
      return Promise.resolve(answer?.(url) ?? fetch(input, init));
    };
    return { counts, fetch: wrapped };
  }

  it('follows the live events while it waits for processing, instead of polling', async () => {
    const { counts, fetch } = countingFetch();
    const events: ServerEvent[] = [];
    const result = await reelay(new NodeTransport(), { fetch }).uploadBatch(await files('clip.mp4', 'small.mov'), {
      channelId: 'c1',
      waitForProcessing: true,
      pollMs: 100,
      onServerEvent: (e) => events.push(e),
    });
    expect(result.files.map((f) => f.status)).toEqual(['ready', 'failed']);
    // One read of each video, once its event said processing ended; polling every 100 ms would read more.
    expect(counts.videoReads).toBe(2);
    const [clip, small] = result.files;
    const of = (type: string, uploadId?: string) => events.filter((e) => e.type === type && e.uploadId === uploadId);
    expect(of('progress', clip.uploadId).at(-1)).toMatchObject({ progress: 100, completedCount: 1 });
    expect(of('upload.completed', small.uploadId)).toEqual([expect.objectContaining({ videoId: small.videoId })]);
    expect(of('processing.started', clip.uploadId)).toHaveLength(1);
    expect(of('video.ready', clip.uploadId)).toEqual([
      expect.objectContaining({
        videoId: clip.videoId,
        metadata: expect.objectContaining({ width: 160, height: 120 }) as unknown,
      }),
    ]);
    expect(of('video.failed', small.uploadId)).toEqual([
      expect.objectContaining({ reason: expect.any(String) as unknown }),
    ]);
    expect(events.filter((e) => e.type === 'batch.completed')).toHaveLength(1);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it('polls for processing when the server has no live events', async () => {
    const noEvents = (url: string) =>
      url.includes('/events/token')
        ? Response.json(
            { success: false, error: { code: 'NOT_FOUND', message: 'no such route', details: null } },
            { status: 404 },
          )
        : undefined;
    const { counts, fetch } = countingFetch(noEvents);
    const events: ServerEvent[] = [];
    const result = await reelay(new NodeTransport(), { fetch }).uploadBatch(await files('clip.mp4'), {
      channelId: 'c1',
      waitForProcessing: true,
      pollMs: 50,
      onServerEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ ok: true, files: [{ status: 'ready' }] });
    expect(events).toEqual([]);
    expect(counts.videoReads).toBeGreaterThan(1);
    // Without an EventSource at all, the same.
    const without = await reelay(new NodeTransport(), { eventSource: null }).uploadBatch(await files('clip.mp4'), {
      channelId: 'c1',
      waitForProcessing: true,
      pollMs: 50,
    });
    expect(without).toMatchObject({ ok: true, files: [{ status: 'ready' }] });
  });

  it('sends again the chunks the network dropped, and says so', async () => {
    let dropped = 0;
    const transport = new ScriptedTransport((req) => (partOf(req) === 2 && dropped++ < 2 ? 'drop' : 'pass'));
    const events: UploadEvent[] = [];
    const result = await reelay(transport).uploadBatch(await files('big.bin'), {
      channelId: 'c1',
      retry: { baseDelayMs: 50 },
      onEvent: (e) => events.push(e),
    });
    expect(result).toMatchObject({ ok: true, files: [{ status: 'completed' }] });
    expect(events.filter((e) => e.type === 'chunk-failed')).toEqual([
      expect.objectContaining({ chunkIndex: 1, willRetry: true }),
      expect.objectContaining({ chunkIndex: 1, willRetry: true }),
    ]);
    expect(events.flatMap((e) => (e.type === 'chunk-failed' ? [e.error.code] : []))).toEqual([
      'NETWORK_ERROR',
      'NETWORK_ERROR',
    ]);
    expect(events).toContainEqual({ type: 'chunk-retried', file: 0, chunkIndex: 1, attempts: 3 });
    expect(await stored(result.files[0].videoId!)).toEqual({ sha256: sha256(sources.get('big.bin')!), rows: 1 });
  });

  it('asks for fresh URLs when the first ones expire on the way', async () => {
    const retries: string[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      if (url.includes('/batch/retry/')) retries.push(typeof init?.body === 'string' ? init.body : '');
      return fetch(input, init);
    };
    // One chunk at a time, each waiting 2 s: the 5 s URLs of the last chunks expire before they are used.
    const transport = new ScriptedTransport(() => ({ delayMs: 2_000 }));
    const result = await reelay(transport, { fetch: countingFetch }).uploadBatch(await files('big.bin'), {
      channelId: 'c1',
      concurrency: 1,
    });
    expect(result).toMatchObject({ ok: true, files: [{ status: 'completed' }] });
    expect(retries.length).toBeGreaterThan(0);
    expect(await stored(result.files[0].videoId!)).toEqual({ sha256: sha256(sources.get('big.bin')!), rows: 1 });
  }, 30_000);

  it('resumes an interrupted run from its state file, sending only the missing chunks, and no completed file again', async () => {
    const stateFile = join(dir, `state-${driver}.json`);
    // The first run's network dies after the first part of each file: the small file (one part) completes,
    // the big one fails.
    const first = await reelay(new ScriptedTransport((req) => (partOf(req) > 1 ? 'drop' : 'pass')), {
      stateFile,
    }).uploadBatch(await files('big.bin', 'small.mov'), { channelId: 'c1', concurrency: 1, retry: { attempts: 1 } });
    expect(first.files[0]).toMatchObject({ status: 'failed', error: { code: 'NETWORK_ERROR' } });
    expect(first.files[1]).toMatchObject({ status: 'completed' });
    // Both are kept: the big one to resume, the small one so that a rerun does not make a second video of it.
    expect(Object.keys(JSON.parse(await readFile(stateFile, 'utf8')) as object)).toHaveLength(2);

    const again = new ScriptedTransport();
    const events: UploadEvent[] = [];
    const second = await reelay(again, { stateFile }).uploadBatch(await files('big.bin', 'small.mov'), {
      channelId: 'c1',
      onEvent: (e) => events.push(e),
    });
    expect(second.files[0]).toMatchObject({ status: 'completed', uploadId: first.files[0].uploadId });
    expect(second.files[1]).toMatchObject({ status: 'completed', videoId: first.files[1].videoId });
    expect(events).toContainEqual({ type: 'resumed', file: 0, uploadId: first.files[0].uploadId, storedChunks: 1 });
    expect(again.sent.map(partOf).sort()).toEqual([2, 3]);
    expect(await stored(second.files[0].videoId!)).toEqual({ sha256: sha256(sources.get('big.bin')!), rows: 1 });
    expect(await stored(second.files[1].videoId!)).toEqual({ sha256: sha256(sources.get('small.mov')!), rows: 1 });
    expect(JSON.parse(await readFile(stateFile, 'utf8'))).toEqual({});
  });

  it('starts over when the kept session expired meanwhile', async () => {
    const stateFile = join(dir, `state-expired-${driver}.json`);
    const first = await reelay(new ScriptedTransport((_req, n) => (n > 1 ? 'drop' : 'pass')), {
      stateFile,
    }).uploadBatch(await files('big.bin'), { channelId: 'c1', concurrency: 1, retry: { attempts: 1 } });
    const expiredId = first.files[0].uploadId!;
    // Its time ran out while the client was away (its Redis keys expire with it).
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expiredId,
    ]);
    const keys = await stack.redis.keys(`${stack.redisPrefix}up:{${expiredId}}*`);
    if (keys.length > 0) await stack.redis.del(...keys);

    const again = new ScriptedTransport();
    const second = await reelay(again, { stateFile }).uploadBatch(await files('big.bin'), { channelId: 'c1' });
    expect(second.files[0]).toMatchObject({ status: 'completed', resumedChunks: 0 });
    expect(second.files[0].uploadId).not.toBe(expiredId);
    expect(again.sent.map(partOf).sort()).toEqual([1, 2, 3]);
    expect(await stored(second.files[0].videoId!)).toEqual({ sha256: sha256(sources.get('big.bin')!), rows: 1 });
  });

  it('aborts: transfers stop, the uploads are aborted on the server, nothing is kept', async () => {
    const controller = new AbortController();
    const transport = new ScriptedTransport(() => ({ delayMs: 300 }));
    const result = await reelay(transport).uploadBatch(await files('big.bin', 'small.mov'), {
      channelId: 'c1',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesSent > 0) controller.abort();
      },
    });
    expect(result.files.map((f) => f.status)).toEqual(['aborted', 'aborted']);
    const { rows } = await stack.db.query<{ state: string }>('SELECT state FROM upload_sessions WHERE id = ANY($1)', [
      result.files.map((f) => f.uploadId),
    ]);
    expect(rows.map((r) => r.state)).toEqual(['aborted', 'aborted']);
  });

  it('sends through the chunk route when asked', async () => {
    const transport = new ScriptedTransport();
    const result = await reelay(transport).uploadBatch(await files('big.bin', 'small.mov'), {
      channelId: 'c1',
      via: 'chunk-route',
    });
    expect(result.ok).toBe(true);
    expect(transport.sent.every((r) => r.method === 'POST' && r.url.startsWith(stack.url))).toBe(true);
    for (const f of result.files)
      expect(await stored(f.videoId!)).toEqual({ sha256: sha256(sources.get(f.name)!), rows: 1 });
  });
});
