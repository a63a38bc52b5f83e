/**
 * Beyond one machine (issue 16): two API instances and two workers on one PostgreSQL, one Redis and one
 * bucket (s3 driver on radosgw), a client that sends each request of an upload to a random instance,
 * and one API and one worker killed -9 mid-run. Every file completes once and every video is processed
 * once: nothing an instance holds in memory is needed by another.
 *
 * The killed worker is one in the middle of a job: its storage is made to hang (a proxy holds its
 * calls), so the kill lands inside a job rather than between two, and the job must move to the other
 * worker once its lock expires.
 */
import { randomInt } from 'node:crypto';
import { ChaosClient } from './support/chaos-client.js';
import { checkUploads, figuresTable, multipartUploadsLeft } from './support/chaos-checks.js';
import { ChaosProxy } from './support/chaos-proxy.js';
import { Cluster } from './support/cluster.js';
import { mapLimit, seededRandom, within } from './support/run-control.js';
import { sourceFile } from './support/source-files.js';
import { MiB } from './support/stack.js';

const SEED = Number(process.env.CHAOS_SEED ?? randomInt(2 ** 31));

describe('scale-out: two APIs and two workers, one of each killed -9 mid-run', () => {
  let cluster: Cluster;
  let hang: ChaosProxy;

  beforeAll(async () => {
    hang = new ChaosProxy(process.env.S3_ENDPOINT!);
    const hangEndpoint = await hang.start();
    cluster = await Cluster.start({
      driver: 's3',
      apis: 2,
      workers: 1,
      env: {
        WORKER_LOCK_DURATION_MS: '2000',
        WORKER_STALLED_INTERVAL_MS: '1000',
        WORKER_CLEANUP_INTERVAL_SECONDS: '1',
        UPLOAD_ORPHAN_GRACE_SECONDS: '5',
        RATE_LIMIT_INIT: '1000',
      },
    });
    await cluster.addWorker({ S3_ENDPOINT: hangEndpoint, S3_CREATE_BUCKET: 'false' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    await hang?.stop();
  });

  it('every file completes once and every video is processed once', async () => {
    const started = Date.now();
    const random = seededRandom(SEED);
    const client = new ChaosClient(cluster, await cluster.stack.token('scale-user'), random);
    const files = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        sourceFile(`scale-${i}.mkv`, [1, 3, 7, 11][i % 4] * MiB, i % 2 ? 'api' : 'presigned'),
      ),
    );
    // worker-2 reaches storage through the proxy: every video call it makes hangs, as a job in progress.
    const [apiVictim] = cluster.apis.filter((a) => a.name === 'api-2');
    const [workerVictim] = cluster.workers.filter((w) => w.name === 'worker-2');
    const workerMidJob = hang.holdRequests((_req, url) => url.pathname.includes('/videos/'));

    // api-2 is killed as a request leaves for it, once a dozen have gone: mid-run and mid-request.
    const apiKilled = new Promise<void>((resolve) => {
      client.onRequest = (node) => {
        if (node !== apiVictim || client.tally.requests < 12) return;
        client.onRequest = undefined;
        resolve(cluster.kill(apiVictim));
      };
    });
    const run = mapLimit(files, 3, (f) => client.upload(f));
    await within(Promise.race([apiKilled, run]), 40_000, 'a request to api-2 after the twelfth');
    expect(apiVictim.killedAt).toBeDefined();
    await within(workerMidJob, 30_000, 'worker-2 taking a job');
    await cluster.kill(workerVictim);
    const uploads = await run;

    await cluster.stack.db.query(
      `UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE state = 'open'`,
    );
    const checks = await checkUploads(cluster, uploads, 40_000);
    const left = await multipartUploadsLeft(cluster, 20_000);
    const t = client.tally;
    console.log(
      figuresTable(`scale-out figures (seed ${SEED})`, {
        'files completed': `${checks.filter((c) => c.completed).length} of ${files.length}`,
        'API requests': `${t.requests} (${[...t.perInstance].map(([n, c]) => `${n}: ${c}`).join(', ')})`,
        'killed -9': `${apiVictim.name}, ${workerVictim.name} (mid-job)`,
        '5xx or dropped, caused by the kill': t.caused.length,
        '5xx or dropped, not caused': t.uncaused.length,
        'client retries': t.retries,
        'multipart uploads left': left.length,
        seconds: ((Date.now() - started) / 1000).toFixed(1),
      }),
    );
    expect(checks.filter((c) => c.problems.length > 0)).toEqual([]);
    expect(checks.every((c) => c.completed)).toBe(true);
    expect(cluster.stack.logs()).toMatch(/job process-\S+ stalled/);
    expect(left).toEqual([]);
    expect(t.uncaused).toEqual([]);
  }, 60_000);
});
