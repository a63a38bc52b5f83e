/**
 * The worker when things go wrong (issue 3, test 3 and the shutdown and retry promises): a worker
 * killed in the middle of a job, a worker told to stop while a job hangs, and storage errors that
 * pass. Storage is made to hang by pointing the first worker at a server that accepts connections and
 * never answers, so "in the middle of a job" is a state the test waits for, not a race it hopes to win.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { FaultProxy } from './support/fault-proxy.js';
import { eventually } from './support/files.js';
import { makeVideo, uploadFile } from './support/media.js';
import { DRIVERS, startStack, type Stack } from './support/stack.js';

/** The columns of a `videos` row these tests read (node-postgres gives timestamps as Dates). */
interface VideoRow {
  upload_id: string;
  status: string;
  width: number | null;
  height: number | null;
  thumbnail_key: string | null;
  failure_reason: string | null;
  processing_started_at: Date | null;
}

/** Accepts TCP connections and never answers: a storage request that hangs. */
class HangingServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  connections = 0;

  constructor() {
    this.server = createServer((socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function stopWorker(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  await exited(child);
}

describe.each(DRIVERS)('worker failures on the %s driver', (driver) => {
  let stack: Stack;
  let hanging: HangingServer;
  /** Where the stuck worker reaches storage: ffprobe's presigned URLs (disk) or every S3 call (s3). */
  let hangEnv: Record<string, string>;

  beforeAll(async () => {
    hanging = new HangingServer();
    const hang = await hanging.start();
    hangEnv = driver === 's3' ? { S3_ENDPOINT: hang, S3_CREATE_BUCKET: 'false' } : { PUBLIC_URL: hang };
    // Short locks so that a killed worker's job is noticed in seconds, not the default 30 s.
    stack = await startStack({ driver, env: { WORKER_LOCK_DURATION_MS: '2000', WORKER_STALLED_INTERVAL_MS: '1000' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await hanging?.stop();
  });

  const videoRow = async (videoId: string) =>
    (await stack.db.query<VideoRow>('SELECT * FROM videos WHERE id = $1', [videoId])).rows[0];

  /** Uploads a clip with no worker running, starts a worker whose storage hangs, waits until it is stuck. */
  async function stuckJob(extraEnv: Record<string, string> = {}) {
    const bytes = await makeVideo({ seconds: 2, width: 320, height: 240, fps: 10, audio: true });
    const { videoId } = await uploadFile(stack.api, bytes, { filename: 'stuck.mp4', type: 'video/mp4' });
    const connectionsBefore = hanging.connections;
    const worker = await stack.startWorker({ ...hangEnv, ...extraEnv });
    const row = await eventually(
      () => videoRow(videoId),
      (v) => v.status === 'processing' && hanging.connections > connectionsBefore,
    );
    expect(row.status).toBe('processing');
    return { videoId, worker, startedAt: row.processing_started_at as Date };
  }

  it('test 3: a worker killed in the middle of a job: another worker completes it, with one result', async () => {
    const { videoId, worker, startedAt } = await stuckJob();
    worker.kill('SIGKILL');
    await exited(worker);

    const rescuer = await stack.startWorker();
    // Stopped whatever fails below: a worker left running would take the next test's job.
    try {
      await rescued(videoId, startedAt);
    } finally {
      await stopWorker(rescuer);
    }
  });

  async function rescued(videoId: string, startedAt: Date): Promise<void> {
    const done = await eventually(
      () => videoRow(videoId),
      (v) => v.status !== 'processing',
      30_000,
    );
    expect(done).toMatchObject({
      status: 'ready',
      width: 320,
      height: 240,
      thumbnail_key: `videos/${videoId}/thumbnail.jpg`,
      failure_reason: null,
    });
    // The same row carried on: processing began once, with the first worker.
    expect(done.processing_started_at).toEqual(startedAt);
    expect(await stack.storage.head(done.thumbnail_key!)).not.toBeNull();

    // BullMQ marks the job completed a moment after the handler wrote `ready`: the job is read once it has.
    const job = (await eventually(
      () => stack.queue.getJob(`process-${videoId}`),
      (j) => j?.finishedOn !== undefined,
    ))!;
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ videoId, status: 'ready' });
    expect(job.stalledCounter).toBe(1);
    expect(stack.logs()).toMatch(new RegExp(`job process-${videoId} stalled`));
    expect(
      (
        await stack.db.query<{ n: number }>('SELECT count(*)::int AS n FROM videos WHERE upload_id = $1', [
          done.upload_id,
        ])
      ).rows[0].n,
    ).toBe(1);
  }

  it('on SIGTERM the worker hands a job it cannot finish back to the queue and exits', async () => {
    const { videoId, worker } = await stuckJob({ WORKER_SHUTDOWN_GRACE_SECONDS: '1' });
    const asked = Date.now();
    worker.kill('SIGTERM');
    await exited(worker);
    expect(Date.now() - asked).toBeLessThan(8000);
    expect(stack.logs()).toMatch(/handing the current jobs back to the queue/);

    // Back in the queue without a spent attempt, not failed and not waiting for a lock to expire.
    const job = (await stack.queue.getJob(`process-${videoId}`))!;
    expect(await job.getState()).toBe('waiting');
    expect(job.attemptsMade).toBe(0);

    const next = await stack.startWorker();
    const done = await eventually(
      () => videoRow(videoId),
      (v) => v.status !== 'processing',
      30_000,
    );
    expect(done.status).toBe('ready');
    await stopWorker(next);
  });

  if (driver === 's3') {
    it('storage errors that pass are retried with backoff, and the video still becomes ready', async () => {
      const proxy = new FaultProxy(process.env.S3_ENDPOINT!);
      const endpoint = await proxy.start();
      try {
        const bytes = await makeVideo({ seconds: 1, width: 160, height: 120, fps: 10, audio: false });
        const { videoId } = await uploadFile(stack.api, bytes, { filename: 'flaky.mp4', type: 'video/mp4' });
        // Three 500s outlast the SDK's own three tries: the first attempt of the job fails.
        proxy.failWhen((req, url) => req.method === 'HEAD' && url.pathname.endsWith(`${videoId}/source`), 3);
        const worker = await stack.startWorker({ S3_ENDPOINT: endpoint });
        const done = await eventually(
          () => videoRow(videoId),
          (v) => v.status === 'ready' || v.status === 'failed',
          30_000,
        );
        expect(done).toMatchObject({ status: 'ready', failure_reason: null });
        expect(proxy.failed).toHaveLength(3);
        expect(stack.logs()).toMatch(new RegExp(`job process-${videoId} attempt 1 failed`));
        await stopWorker(worker);
      } finally {
        await proxy.stop();
      }
    });
  }
});
