/**
 * tus-js-client 4 in Node against Reelay's tus endpoint, on both drivers, with the worker running: uploads
 * of a video larger than two parts with tus-js-client's default (one PATCH) and with 3 MiB PATCHes that end
 * mid-part; a client process killed mid-upload and a new one that resumes from its URL storage; termination;
 * expiration. Each upload is checked as a user would: the sha256 of the stored object, the Video row, and
 * the worker's `ready`.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Upload } from 'tus-js-client';
import { eventually, sha256, sha256OfStream } from './support/files.js';
import { makeNoiseVideo } from './support/source-files.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';
import { tus, TUS_PATH } from './support/tus.js';

type ClientEvent =
  | { event: 'start'; resuming: boolean }
  | { event: 'request'; method: string; offset: string | null }
  | { event: 'url'; url: string }
  | { event: 'progress'; bytes: number; total: number }
  | { event: 'success'; url: string }
  | { event: 'error'; message: string };

describe.each(DRIVERS)('tus-js-client in Node on the %s driver', (driver) => {
  let stack: Stack;
  const dir = mkdtempSync(join(tmpdir(), 'reelay-tus-client-'));
  let video: Buffer;
  let videoPath: string;

  beforeAll(async () => {
    stack = await startStack({ driver, worker: true });
    video = await makeNoiseVideo(16 * MiB); // parts of 5 MiB: four parts, the last one short
    videoPath = join(dir, 'noise.mkv');
    writeFileSync(videoPath, video);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const endpoint = () => `${stack.url}${TUS_PATH}`;
  const meta = (filename: string) => ({ filename, filetype: 'video/x-matroska', channel_id: '7' });

  /** Uploads `path` with tus-js-client in this process; answers the upload URL. */
  function upload(path: string, options: { chunkSize?: number; filename: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      const u = new Upload(createReadStream(path), {
        endpoint: endpoint(),
        headers: { Authorization: `Bearer ${stack.api.token!}` },
        metadata: meta(options.filename),
        // An explicit undefined chunkSize is NaN to tus-js-client: leave it out for its default (the whole file).
        ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
        retryDelays: [0, 200],
        onSuccess: () => resolve(u.url!),
        onError: reject,
      });
      u.start();
    });
  }

  /** The Video row of the upload, checked against the source, then processed by the worker. */
  async function expectReadyVideo(uploadUrl: string, source: Buffer, filename: string): Promise<void> {
    const uploadId = uploadUrl.split('/').pop();
    const { rows } = await stack.db.query<{ id: string; storage_key: string; filename: string; size: string }>(
      'SELECT id, storage_key, filename, size FROM videos WHERE upload_id = $1',
      [uploadId],
    );
    expect(rows).toHaveLength(1);
    expect([rows[0].filename, Number(rows[0].size)]).toEqual([filename, source.length]);
    expect(await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0))).toBe(sha256(source));
    const status = await eventually(
      async () => (await stack.api.call<{ status: string }>('GET', `/api/v1/videos/${rows[0].id}`)).body.data?.status,
      (s) => s === 'ready' || s === 'failed',
      30_000,
    );
    expect(status).toBe('ready');
  }

  it.each([
    ['unset (one PATCH for the whole file)', undefined],
    ['3 MiB (PATCHes end mid-part)', 3 * MiB],
  ])('uploads a video of four parts with chunkSize %s; the worker makes it ready', async (_name, chunkSize) => {
    const filename = `whole-${chunkSize ?? 'unset'}.mkv`;
    const url = await upload(videoPath, { chunkSize, filename });
    expect(url).toMatch(new RegExp(`^${endpoint()}/[0-9a-f-]{36}$`));
    await expectReadyVideo(url, video, filename);
  });

  it('resumes in a new client process after the first was killed mid-upload, without sending from 0 again', async () => {
    const env = {
      TUS_ENDPOINT: endpoint(),
      TUS_TOKEN: stack.api.token!,
      TUS_FILE: videoPath,
      TUS_METADATA: JSON.stringify(meta('resumed.mkv')),
      TUS_CHUNK_SIZE: String(3 * MiB),
      TUS_URL_STORAGE: join(dir, 'tus-urls.json'),
    };
    const first = await runClient(env, (e) => e.event === 'progress' && e.bytes >= 3 * MiB);
    expect(first.killed).toBe(true);
    expect(first.events.some((e) => e.event === 'success')).toBe(false);
    const second = await runClient(env);
    expect(second.events[0]).toEqual({ event: 'start', resuming: true });
    const patches = second.events.filter((e) => e.event === 'request' && e.method === 'PATCH');
    expect(second.events.filter((e) => e.event === 'request' && e.method === 'POST')).toEqual([]);
    expect(Number((patches[0] as { offset: string }).offset)).toBeGreaterThanOrEqual(3 * MiB);
    const urlOf = (events: ClientEvent[], kind: 'url' | 'success') =>
      (events.find((e) => e.event === kind) as { url: string } | undefined)?.url;
    expect(urlOf(second.events, 'success')).toBe(urlOf(first.events, 'url'));
    await expectReadyVideo(urlOf(second.events, 'success')!, video, 'resumed.mkv');
  });

  it('terminates an upload: Upload.terminate answers, and the upload is gone (410)', async () => {
    const url = await new Promise<string>((resolve, reject) => {
      const u = new Upload(createReadStream(videoPath), {
        endpoint: endpoint(),
        headers: { Authorization: `Bearer ${stack.api.token!}` },
        metadata: meta('terminated.mkv'),
        chunkSize: 3 * MiB,
        onChunkComplete: () => {
          void u.abort(true).then(() => resolve(u.url!), reject);
        },
        onError: reject,
      });
      u.start();
    });
    const headers = { authorization: `Bearer ${stack.api.token!}`, 'tus-resumable': '1.0.0' };
    expect((await tus(url, 'HEAD', headers)).status).toBe(410);
    const id = url.split('/').pop();
    const { rows } = await stack.db.query<{ state: string }>('SELECT state FROM upload_sessions WHERE id = $1', [id]);
    expect(rows[0].state).toBe('aborted');
    expect(await stack.storage.head(`tus-partial/${id}`)).toBeNull();
  });

  it('an upload past its expiry cannot be resumed: HEAD answers 410 and the client gives up', async () => {
    const id = await new Promise<string>((resolve, reject) => {
      const u = new Upload(createReadStream(videoPath), {
        endpoint: endpoint(),
        headers: { Authorization: `Bearer ${stack.api.token!}` },
        metadata: meta('expired.mkv'),
        chunkSize: 3 * MiB,
        onChunkComplete: () => {
          void u.abort(false).then(() => resolve(u.url!.split('/').pop()!), reject);
        },
        onError: reject,
      });
      u.start();
    });
    // The client walked away for longer than UPLOAD_SESSION_TTL_SECONDS.
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    const error = await new Promise<Error | null>((resolve) => {
      const u = new Upload(createReadStream(videoPath), {
        uploadUrl: `${endpoint()}/${id}`,
        headers: { Authorization: `Bearer ${stack.api.token!}` },
        chunkSize: 3 * MiB,
        retryDelays: [],
        onSuccess: () => resolve(null),
        onError: resolve,
      });
      u.start();
    });
    expect(String(error)).toMatch(/method: HEAD.*response code: 410/);
    const patch = await tus(`${endpoint()}/${id}`, 'PATCH', {
      authorization: `Bearer ${stack.api.token!}`,
      'tus-resumable': '1.0.0',
      'upload-offset': String(3 * MiB),
      'content-type': 'application/offset+octet-stream',
    });
    expect([patch.status, patch.body?.error?.code]).toEqual([410, 'UPLOAD_EXPIRED']);
    const { rows } = await stack.db.query('SELECT 1 FROM videos WHERE upload_id = $1', [id]);
    expect(rows).toEqual([]);
  });
});

/**
 * Runs test/support/tus-client-process.js; kills it (SIGKILL) at the first event `killAt` accepts.
 * Answers its events and whether it was killed.
 */
function runClient(
  env: Record<string, string>,
  killAt?: (event: ClientEvent) => boolean,
): Promise<{ events: ClientEvent[]; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['test/support/tus-client-process.js'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events: ClientEvent[] = [];
    let buffered = '';
    let killed = false;
    child.stdout.on('data', (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line) as ClientEvent;
        events.push(event);
        if (!killed && killAt?.(event)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('error', reject);
    child.on('close', () => resolve({ events, killed }));
  });
}
