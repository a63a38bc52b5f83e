/**
 * What only the S3 driver has: the shape of its presigned URLs, ListParts pagination past 1,000 parts
 * (against radosgw), a separate client for public URLs, and Unavailable when storage cannot be reached.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import {
  applyBrowserCors,
  createS3Client,
  missingBrowserCors,
  S3ObjectStorage,
  StorageErrorCode,
} from '../src/index.js';
import { expectStorageError, randomBody, streamOf } from './helpers.js';
import { createTestBucket, type TestBucket } from './s3-bucket.js';

let s3: TestBucket;
let storage: S3ObjectStorage;
beforeAll(async () => {
  s3 = await createTestBucket('s3-driver');
  storage = new S3ObjectStorage(s3.client, { bucket: s3.bucket });
});
afterAll(() => s3?.cleanup());

describe('S3ObjectStorage', () => {
  it('signs the exact Content-Length and no Content-Type, and adds no checksum to part URLs', async () => {
    const part = new URL((await storage.presignParts('k', 'upload', [{ partNumber: 7, contentLength: 10 }], 60))[0]);
    expect(part.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host');
    expect(part.searchParams.get('partNumber')).toBe('7');
    expect([...part.searchParams.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
  });

  it('signs browser URLs with the presign client, for a public endpoint', async () => {
    const publicClient = createS3Client({ ...s3.connection, endpoint: 'https://storage.example.com' });
    const split = new S3ObjectStorage(s3.client, { bucket: s3.bucket }, publicClient);
    const url = new URL(await split.presignGet('videos/a', 60));
    expect(url.origin).toBe('https://storage.example.com');
    expect(url.pathname).toBe(`/${s3.bucket}/videos/a`);
    publicClient.destroy();
  });

  it('lists every part of an upload with more than 1,000 parts (ListParts pages)', async () => {
    const key = `videos/${randomUUID()}`;
    const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
    const count = 1003;
    const numbers = Array.from({ length: count }, (_, i) => i + 1);
    // Tiny parts are fine until completion; 16 at a time keeps radosgw busy without drowning it.
    for (let at = 0; at < count; at += 16) {
      await Promise.all(
        numbers
          .slice(at, at + 16)
          .map((n) => storage.uploadPart(key, multipartUploadId, n, streamOf(randomBody(1)), 1)),
      );
    }
    const parts = await storage.listParts(key, multipartUploadId);
    expect(parts.map((p) => p.partNumber)).toEqual(numbers);
    await storage.abortMultipart(key, multipartUploadId);
  }, 120_000);

  it('answers Unavailable when storage cannot be reached', async () => {
    const unreachable = createS3Client({
      ...s3.connection,
      endpoint: 'http://127.0.0.1:9',
      connectionTimeoutMs: 1_000,
    });
    const down = new S3ObjectStorage(unreachable, { bucket: s3.bucket });
    await expectStorageError(down.head('k'), StorageErrorCode.Unavailable);
    await expectStorageError(
      down.uploadPart('k', 'upload', 1, streamOf(randomBody(100)), 100),
      StorageErrorCode.Unavailable,
    );
    unreachable.destroy();
  }, 30_000);

  it('sets the browser CORS rule on a bucket, and tells what a bucket without it lacks', async () => {
    const origin = 'https://app.example.com';
    const bare = await createTestBucket('cors');
    try {
      expect(await missingBrowserCors(bare.client, bare.bucket, [origin])).toEqual([
        'it has no CORS rule: browsers cannot PUT to its presigned URLs',
      ]);
      await applyBrowserCors(bare.client, bare.bucket, [origin]);
      expect(await missingBrowserCors(bare.client, bare.bucket, [origin])).toEqual([]);
      expect(await missingBrowserCors(bare.client, bare.bucket, ['https://elsewhere.example.com'])).toEqual(
        ['PUT', 'GET', 'HEAD'].map((m) => `no rule allows ${m} from https://elsewhere.example.com`),
      );
      // What a browser asks before it PUTs a part from that origin, as radosgw answers it.
      const preflight = await request(
        `${bare.connection.endpoint}/${bare.bucket}/videos/a/source?partNumber=1&uploadId=x`,
        {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' },
        },
      );
      await preflight.body.dump();
      expect(preflight.statusCode).toBe(200);
      expect(preflight.headers['access-control-allow-origin']).toBe(origin);
      expect(String(preflight.headers['access-control-allow-methods'])).toContain('PUT');
    } finally {
      await bare.cleanup();
    }
  });
});
