/**
 * The cleanup of abandoned uploads (issue 3, test 4): sessions past their expiry that were never
 * completed lose their multipart upload, any object left under their key and their Redis keys, and say
 * `expired`; sessions still in time are left alone; several workers never handle one session twice.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { StorageError, StorageErrorCode } from '#storage';
import { UploadSessionRepository, videosDataSourceOptions } from '#videos';
import { chunkOf, eventually, putTo, randomFile } from './support/files.js';
import { initUpload } from './support/media.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

const video = (filename: string) => ({ filename, type: 'video/mp4' });

async function progressKeys(stack: Stack, uploadId: string): Promise<string[]> {
  return stack.redis.keys(`${stack.redisPrefix}up:{${uploadId}}*`);
}

async function state(stack: Stack, uploadId: string): Promise<string> {
  return (await stack.db.query<{ state: string }>('SELECT state FROM upload_sessions WHERE id = $1', [uploadId]))
    .rows[0].state;
}

describe.each(DRIVERS)('cleanup of abandoned uploads on the %s driver', (driver) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('test 4: expired, never-completed sessions lose their storage and Redis keys and say expired', async () => {
    const multipart = await initUpload(stack.api, 11 * MiB, video('abandoned.mp4'));
    const single = await initUpload(stack.api, 1 * MiB, video('abandoned-single.mp4'));
    const inTime = await initUpload(stack.api, 11 * MiB, video('still-uploading.mp4'));
    const big = randomFile(11 * MiB);
    expect((await putTo(multipart.presignedUrls[0], chunkOf(big, multipart.chunkSize, 0))).status).toBe(200);
    expect((await putTo(inTime.presignedUrls[0], chunkOf(big, inTime.chunkSize, 0))).status).toBe(200);
    expect((await putTo(single.presignedUrls[0], randomFile(1 * MiB))).status).toBe(200);

    const sessions = async (id: string) =>
      (
        await stack.db.query<{ storage_key: string; multipart_upload_id: string }>(
          'SELECT storage_key, multipart_upload_id FROM upload_sessions WHERE id = $1',
          [id],
        )
      ).rows[0];
    const m = await sessions(multipart.uploadId);
    const s = await sessions(single.uploadId);
    const kept = await sessions(inTime.uploadId);
    expect(await stack.storage.listParts(m.storage_key, m.multipart_upload_id)).toHaveLength(1);
    expect(await stack.storage.listParts(s.storage_key, s.multipart_upload_id)).toHaveLength(1);
    expect(await progressKeys(stack, multipart.uploadId)).not.toHaveLength(0);

    // The clients walked away: their sessions run out (as if UPLOAD_SESSION_TTL_SECONDS had passed).
    await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = ANY($1)`, [
      [multipart.uploadId, single.uploadId],
    ]);
    // Two workers at once, each scheduling the cleanup every second.
    const env = { WORKER_CLEANUP_INTERVAL_SECONDS: '1', LOG_LEVEL: 'log' };
    await Promise.all([stack.startWorker(env), stack.startWorker(env)]);

    for (const id of [multipart.uploadId, single.uploadId]) {
      expect(
        await eventually(
          () => state(stack, id),
          (v) => v === 'expired',
          20_000,
        ),
      ).toBe('expired');
    }
    for (const gone of [m, s]) {
      await expect(stack.storage.listParts(gone.storage_key, gone.multipart_upload_id)).rejects.toMatchObject({
        code: StorageErrorCode.NoSuchUpload,
      });
      await expect(stack.storage.listParts(gone.storage_key, gone.multipart_upload_id)).rejects.toBeInstanceOf(
        StorageError,
      );
      expect(await stack.storage.head(gone.storage_key)).toBeNull();
    }
    expect(await progressKeys(stack, multipart.uploadId)).toEqual([]);
    expect(await progressKeys(stack, single.uploadId)).toEqual([]);
    const progress = await stack.api.progress(multipart.uploadId);
    expect([progress.status, progress.body.error?.code]).toEqual([410, 'UPLOAD_EXPIRED']);

    // Each session was released by exactly one of the two workers.
    for (const id of [multipart.uploadId, single.uploadId]) {
      expect(stack.logs().split(`upload ${id} expired`)).toHaveLength(2);
    }
    // The session still in time is untouched.
    expect(await state(stack, inTime.uploadId)).toBe('open');
    expect(await stack.storage.listParts(kept.storage_key, kept.multipart_upload_id)).toHaveLength(1);
    expect(await progressKeys(stack, inTime.uploadId)).not.toHaveLength(0);
  });
});

describe('expireAbandoned with several callers at once', () => {
  let stack: Stack;
  let db: DataSource;

  beforeAll(async () => {
    stack = await startStack({ driver: 'disk' });
    db = await new DataSource(videosDataSourceOptions(stack.env.DATABASE_URL, false)).initialize();
  });
  afterAll(async () => {
    await db?.destroy();
    await stack?.stop();
  });

  it('hands each expired session to exactly one caller', async () => {
    const batchId = randomUUID();
    await stack.db.query(`INSERT INTO upload_batches (id, channel_id, owner_id) VALUES ($1, '123', 'alice')`, [
      batchId,
    ]);
    const ids = Array.from({ length: 12 }, () => randomUUID());
    for (const id of ids) {
      await stack.db.query(
        `INSERT INTO upload_sessions (id, batch_id, file_id, channel_id, owner_id, filename, size, content_type, storage_key, multipart_upload_id, chunk_size, total_chunks, urls_expire_at, expires_at)
         VALUES ($1, $2, $3, '123', 'alice', 'f.mp4', 10, 'video/mp4', $4, 'none', 10, 1, now(), now() - interval '1 minute')`,
        [id, batchId, randomUUID(), `videos/${id}/source`],
      );
    }
    const released: string[] = [];
    const callers = [1, 2, 3].map(() =>
      new UploadSessionRepository(db).expireAbandoned(100, async (session) => {
        released.push(session.id);
        await new Promise((r) => setTimeout(r, 20));
      }),
    );
    const outcomes = await Promise.all(callers);
    expect(released.sort()).toEqual([...ids].sort());
    expect(outcomes.flatMap((o) => o.expired.map((s) => s.id)).sort()).toEqual([...ids].sort());
    const { rows } = await stack.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM upload_sessions WHERE state = 'expired'`,
    );
    expect(rows[0].n).toBe(ids.length);
  });

  it('leaves a session open when releasing its storage fails, for the next run', async () => {
    const { rows } = await stack.db.query<{ id: string }>(`SELECT id FROM upload_sessions LIMIT 1`);
    await stack.db.query(`UPDATE upload_sessions SET state = 'open' WHERE id = $1`, [rows[0].id]);
    const outcome = await new UploadSessionRepository(db).expireAbandoned(100, () =>
      Promise.reject(new Error('storage unavailable')),
    );
    expect(outcome.expired).toEqual([]);
    expect(outcome.failed.map((f) => f.sessionId)).toEqual([rows[0].id]);
    expect(await state(stack, rows[0].id)).toBe('open');
  });
});
