import { ALICE, type Harness, startHarness } from '../../test/harness.js';
import { sourceKey } from '../storage-keys.js';

describe('AbortOrphanUploads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ orphanGraceSeconds: 600 });
  });
  afterAll(() => h?.close());

  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  it('aborts, once past the grace time, the multipart uploads no open session records', async () => {
    // An init that crashed between storage and PostgreSQL: the multipart upload exists, no session does.
    const orphanKey = sourceKey('0b5f3c4e-0000-4000-8000-000000000001');
    const orphan = await h.storage.createMultipart(orphanKey, 'video/mp4');
    // Someone else's upload in the same bucket, outside the product's prefix.
    const foreign = await h.storage.createMultipart('backups/db.dump', 'application/octet-stream');
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'live.mp4', size: 1000, type: 'video/mp4' }],
    });
    const live = (await h.repository.findOwnedSession(u.uploadId, 'alice'))!;

    expect(await h.abortOrphanUploads.execute(later(599))).toEqual({ aborted: 0, failed: 0 });
    expect(h.storage.uploads.has(orphan)).toBe(true);

    expect(await h.abortOrphanUploads.execute(later(601))).toEqual({ aborted: 1, failed: 0 });
    expect(h.storage.uploads.has(orphan)).toBe(false);
    expect(h.storage.uploads.has(live.multipartUploadId)).toBe(true);
    expect(h.storage.uploads.has(foreign)).toBe(true);
    expect(await h.abortOrphanUploads.execute(later(601))).toEqual({ aborted: 0, failed: 0 });
  });

  it('aborts the multipart upload of a session that is no longer open but was left in storage', async () => {
    const [u] = await h.initBatch.execute({
      uploader: ALICE,
      channelId: '1',
      files: [{ filename: 'gone.mp4', size: 1000, type: 'video/mp4' }],
    });
    const session = (await h.repository.findOwnedSession(u.uploadId, 'alice'))!;
    await h.db.query(`UPDATE upload_sessions SET state = 'expired' WHERE id = $1`, [u.uploadId]);
    expect((await h.abortOrphanUploads.execute(later(601))).aborted).toBe(1);
    expect(h.storage.uploads.has(session.multipartUploadId)).toBe(false);
  });
});
