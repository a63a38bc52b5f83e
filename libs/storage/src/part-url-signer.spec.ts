import { jest } from '@jest/globals';
import { S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { PartUrlSigner } from './part-url-signer.js';
import { S3ObjectStorage } from './s3.object-storage.js';

const MiB = 1024 * 1024;
const SECRET = 'reelaytestsecretkey0000000000000000000001';
const DATE = new Date('2026-03-01T12:34:56Z');

interface Case {
  name: string;
  client: S3Client;
  bucket: string;
  key: string;
}

function client(options: {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  sessionToken?: string;
}): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    forcePathStyle: options.forcePathStyle ?? true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: options.sessionToken },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

const CASES: Case[] = [
  {
    name: 'path-style endpoint with a port (radosgw)',
    client: client({ endpoint: 'http://127.0.0.1:7480' }),
    bucket: 'reelay',
    key: 'videos/0b9c7d2e-1111-4444-8888-123456789abc/source',
  },
  {
    name: 'https endpoint on its default port (Storj)',
    client: client({ endpoint: 'https://gateway.storjshare.io' }),
    bucket: 'reelay-prod',
    key: 'videos/x/source',
  },
  {
    name: 'virtual-hosted AWS in another region',
    client: client({ region: 'eu-west-1', forcePathStyle: false }),
    bucket: 'my-bucket',
    key: 'videos/a b+c(1)*ü~!/source',
  },
  {
    name: 'a long region name (a longer string to sign)',
    client: client({ endpoint: 'https://s3.example.net', region: 'ap-southeast-2-experimental-zone' }),
    bucket: 'reelay',
    key: 'videos/z/source',
  },
  {
    name: 'temporary credentials (session token)',
    client: client({ endpoint: 'http://127.0.0.1:7480', sessionToken: 'FwoGZXIvYXdzE/token+with=chars' }),
    bucket: 'reelay',
    key: 'videos/y/source',
  },
];

function sdkUrl(c: Case, uploadId: string, partNumber: number, contentLength: number): Promise<string> {
  const command = new UploadPartCommand({
    Bucket: c.bucket,
    Key: c.key,
    UploadId: uploadId,
    PartNumber: partNumber,
    ContentLength: contentLength,
  });
  return getSignedUrl(c.client, command, {
    expiresIn: 3600,
    signableHeaders: new Set(['content-length']),
    signingDate: DATE,
  });
}

/** Origin + path, and the query parameters: the order of parameters in a URL does not matter. */
function parts(url: string): { where: string; params: Record<string, string> } {
  const u = new URL(url);
  return {
    where: `${u.protocol}//${u.host}${u.pathname}`,
    params: Object.fromEntries([...u.searchParams].sort(([a], [b]) => a.localeCompare(b))),
  };
}

describe('PartUrlSigner', () => {
  it.each(CASES)('signs every part exactly as the SDK does: $name', async (c) => {
    const uploadId = '2~AbC_dEf-123/+=';
    const template = await sdkUrl(c, uploadId, 7, 64 * MiB);
    const signer = PartUrlSigner.from({ url: template, key: c.key, contentLength: 64 * MiB }, SECRET);
    expect(signer).not.toBeNull();
    for (const [partNumber, length] of [
      [1, 64 * MiB],
      [2, 64 * MiB],
      [999, 64 * MiB],
      [1000, 5 * MiB + 3],
      [10_000, 1],
    ]) {
      expect(parts(signer!.sign(partNumber, length))).toEqual(parts(await sdkUrl(c, uploadId, partNumber, length)));
    }
  });

  it('refuses a template it cannot reproduce', async () => {
    const template = await sdkUrl(CASES[0], 'u1', 1, 64 * MiB);
    const key = CASES[0].key;
    const from = (url: string, secret = SECRET, contentLength = 64 * MiB) =>
      PartUrlSigner.from({ url, key, contentLength }, secret);
    expect(from(template)).not.toBeNull();
    expect(from(template, 'another-secret')).toBeNull();
    expect(from(template, SECRET, 64 * MiB + 1)).toBeNull();
    expect(from(template.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'))).toBeNull();
    expect(from(template.replace('content-length%3Bhost', 'content-length%3Bcontent-type%3Bhost'))).toBeNull();
    expect(from(template.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'))).toBeNull();
    expect(from('http://127.0.0.1:7480/reelay/key')).toBeNull();
  });

  it.each(CASES)('signs the parts of other uploads of the same second exactly as the SDK does: $name', async (c) => {
    const template = await sdkUrl(c, '2~first', 1, 64 * MiB);
    const signer = PartUrlSigner.from({ url: template, key: c.key, contentLength: 64 * MiB }, SECRET)!;
    const others = [
      { key: 'videos/0b9c7d2e-2222-4444-8888-123456789abc/source', uploadId: '2~second' },
      { key: 'videos/ä ö+(x)*!~/source.mp4', uploadId: 'AWS/like+upload=id_1.2-3~' },
      { key: 'v', uploadId: 'u' },
    ];
    for (const other of others) {
      const derived = signer.forUpload(other.key, other.uploadId);
      expect(derived).not.toBeNull();
      expect(derived!.date).toBe(signer.date);
      for (const [partNumber, length] of [
        [1, 64 * MiB],
        [1000, 5 * MiB + 3],
      ]) {
        const expected = await sdkUrl({ ...c, key: other.key }, other.uploadId, partNumber, length);
        expect(parts(derived!.sign(partNumber, length))).toEqual(parts(expected));
      }
    }
  });

  it('signs no other upload when it cannot tell where its key is', async () => {
    const c = CASES[0];
    const template = await sdkUrl(c, 'u1', 1, 64 * MiB);
    const signer = PartUrlSigner.from({ url: template, key: c.key, contentLength: 64 * MiB }, SECRET)!;
    expect(signer.forUpload('videos/other/source', 'u2')).not.toBeNull();
    const misnamed = PartUrlSigner.from(
      { url: template, key: 'videos/not-this-one/source', contentLength: 64 * MiB },
      SECRET,
    )!;
    expect(misnamed).not.toBeNull();
    expect(misnamed.forUpload('videos/other/source', 'u2')).toBeNull();
  });
});

/** Counts the SDK's signings: getSignedUrl runs the client's middleware stack once per URL. */
function countSdkSignings(c: Case): { count: number } {
  const counter = { count: 0 };
  c.client.middlewareStack.add(
    (next) => (args) => {
      counter.count++;
      return next(args);
    },
    { step: 'initialize', name: `count-${Math.random()}` },
  );
  return counter;
}

describe('S3ObjectStorage.presignParts', () => {
  it('hands out URLs, in the order asked, that carry the SDK signature for their part and length', async () => {
    const c = CASES[0];
    const storage = new S3ObjectStorage(c.client, { bucket: c.bucket });
    const lengths = Array.from({ length: 50 }, (_, i) => (i === 49 ? 1234 : 64 * MiB));
    const numbers = lengths.map((_, i) => ((i * 7) % 50) + 1);
    const urls = await storage.presignParts(
      c.key,
      'up-1',
      numbers.map((partNumber) => ({ partNumber, contentLength: lengths[partNumber - 1] })),
      3600,
    );
    expect(urls).toHaveLength(50);
    for (const [at, url] of urls.entries()) {
      const i = numbers[at] - 1;
      const { params } = parts(url);
      expect(params.partNumber).toBe(String(i + 1));
      const date = params['X-Amz-Date'].replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
      const command = new UploadPartCommand({
        Bucket: c.bucket,
        Key: c.key,
        UploadId: 'up-1',
        PartNumber: i + 1,
        ContentLength: lengths[i],
      });
      const expected = await getSignedUrl(c.client, command, {
        expiresIn: 3600,
        signableHeaders: new Set(['content-length']),
        signingDate: new Date(date),
      });
      expect(parts(url)).toEqual(parts(expected));
    }
  });

  it('signs the uploads of one second from one SDK signature, each as the SDK would', async () => {
    jest.useFakeTimers({
      now: DATE,
      doNotFake: [
        'nextTick',
        'setImmediate',
        'queueMicrotask',
        'setTimeout',
        'clearTimeout',
        'setInterval',
        'clearInterval',
      ],
    });
    try {
      const c = { ...CASES[0], client: client({ endpoint: 'http://127.0.0.1:7480' }) };
      const sdk = countSdkSignings(c);
      const storage = new S3ObjectStorage(c.client, { bucket: c.bucket });
      const partsOf = (count: number) =>
        Array.from({ length: count }, (_, i) => ({
          partNumber: i + 1,
          contentLength: i === count - 1 ? 99 : 64 * MiB,
        }));
      const uploads = [
        { key: 'videos/a/source', uploadId: 'up-a', expiresIn: 3600, parts: partsOf(20) },
        { key: 'videos/b/source', uploadId: 'up-b', expiresIn: 3600, parts: partsOf(3) },
        { key: 'videos/c/source', uploadId: 'up-c', expiresIn: 600, parts: partsOf(2) },
        { key: 'videos/d/source', uploadId: 'up-d', expiresIn: 600, parts: partsOf(1) },
      ];
      const signed = [];
      for (const u of uploads) signed.push(await storage.presignParts(u.key, u.uploadId, u.parts, u.expiresIn));
      // One signature for each expiry; the next second asks the SDK again.
      expect(sdk.count).toBe(2);
      jest.setSystemTime(DATE.getTime() + 1000);
      const later = await storage.presignParts('videos/e/source', 'up-e', partsOf(2), 3600);
      expect(sdk.count).toBe(3);
      expect(new URL(later[0]).searchParams.get('X-Amz-Date')).toBe('20260301T123457Z');
      jest.setSystemTime(DATE);
      for (const [i, u] of uploads.entries()) {
        expect(signed[i]).toHaveLength(u.parts.length);
        for (const [at, part] of u.parts.entries()) {
          const command = new UploadPartCommand({
            Bucket: c.bucket,
            Key: u.key,
            UploadId: u.uploadId,
            PartNumber: part.partNumber,
            ContentLength: part.contentLength,
          });
          const expected = await getSignedUrl(c.client, command, {
            expiresIn: u.expiresIn,
            signableHeaders: new Set(['content-length']),
            signingDate: DATE,
          });
          expect(parts(signed[i][at])).toEqual(parts(expected));
        }
      }
    } finally {
      jest.useRealTimers();
    }
  });
});
