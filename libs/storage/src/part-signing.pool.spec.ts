import { S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MIN_SPLIT, PartSigningPool } from './part-signing.pool.js';
import { PartUrlSigner } from './part-url-signer.js';

const MiB = 1024 * 1024;
const SECRET = 'reelaytestsecretkey0000000000000000000001';
/** The worker as the apps run it: built by `npm run build`, which `npm test` runs first. */
const BUILT_WORKER = pathToFileURL(join(process.cwd(), 'dist/libs/storage/src/part-signing.worker.js'));

const client = new S3Client({
  endpoint: 'http://127.0.0.1:7480',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});

async function signerFor(uploadId: string): Promise<PartUrlSigner> {
  const key = `videos/${uploadId}/source`;
  const command = new UploadPartCommand({ Bucket: 'reelay', Key: key, UploadId: uploadId, PartNumber: 1, ContentLength: 64 * MiB });
  const template = await getSignedUrl(client, command, { expiresIn: 3600, signableHeaders: new Set(['content-length']) });
  return PartUrlSigner.from({ url: template, key, contentLength: 64 * MiB }, SECRET)!;
}

/** Parts 1..count of 64 MiB but the last, in a shuffled order. */
function partsOf(count: number) {
  return Array.from({ length: count }, (_, i) => (i * 7919) % count + 1).map((partNumber) => ({ partNumber, contentLength: partNumber === count ? 1234 : 64 * MiB }));
}

describe('PartSigningPool', () => {
  let pool: PartSigningPool;
  afterEach(() => pool?.close());

  it('signs a large upload on a worker thread and this one: the URLs, in order, that one thread signs', async () => {
    expect(existsSync(BUILT_WORKER)).toBe(true);
    pool = new PartSigningPool(BUILT_WORKER);
    expect(pool.threaded).toBe(true);
    const signer = await signerFor('up-1');
    const parts = partsOf(1000);
    const urls = await pool.sign(signer, parts);
    expect(urls).toHaveLength(1000);
    expect(urls).toEqual(signer.signAll(parts));
    expect(new URL(urls[999]).searchParams.get('partNumber')).toBe(String(parts[999].partNumber));
  });

  it('keeps the URLs of uploads signed at the same time apart', async () => {
    pool = new PartSigningPool(BUILT_WORKER);
    const signers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => signerFor(`up-${id}`)));
    const parts = partsOf(MIN_SPLIT * 2 + 1);
    const signed = await Promise.all(signers.map((s) => pool.sign(s, parts)));
    signed.forEach((urls, i) => expect(urls).toEqual(signers[i].signAll(parts)));
    expect(new Set(signed.flat()).size).toBe(5 * parts.length);
  });

  it('signs here what a failing worker was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reelay-signing-'));
    const failing = join(dir, 'failing.worker.mjs');
    writeFileSync(failing, "export default function () { throw new Error('worker failed'); }\n");
    try {
      pool = new PartSigningPool(pathToFileURL(failing));
      expect(pool.threaded).toBe(true);
      const signer = await signerFor('up-3');
      const parts = partsOf(MIN_SPLIT * 2);
      expect(await pool.sign(signer, parts)).toEqual(signer.signAll(parts));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('signs in place where the worker module is missing (the TypeScript sources under Jest)', async () => {
    pool = new PartSigningPool(new URL('./no-such-worker.js', BUILT_WORKER));
    expect(pool.threaded).toBe(false);
    const signer = await signerFor('up-2');
    const parts = partsOf(MIN_SPLIT * 3);
    expect(await pool.sign(signer, parts)).toEqual(signer.signAll(parts));
  });
});
