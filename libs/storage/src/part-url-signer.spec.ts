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

function client(options: { endpoint?: string; region?: string; forcePathStyle?: boolean; sessionToken?: string }): S3Client {
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
  { name: 'path-style endpoint with a port (radosgw)', client: client({ endpoint: 'http://127.0.0.1:7480' }), bucket: 'reelay', key: 'videos/0b9c7d2e-1111-4444-8888-123456789abc/source' },
  { name: 'https endpoint on its default port (Storj)', client: client({ endpoint: 'https://gateway.storjshare.io' }), bucket: 'reelay-prod', key: 'videos/x/source' },
  { name: 'virtual-hosted AWS in another region', client: client({ region: 'eu-west-1', forcePathStyle: false }), bucket: 'my-bucket', key: 'videos/a b+c(1)*ü~!/source' },
  { name: 'a long region name (a longer string to sign)', client: client({ endpoint: 'https://s3.example.net', region: 'ap-southeast-2-experimental-zone' }), bucket: 'reelay', key: 'videos/z/source' },
  { name: 'temporary credentials (session token)', client: client({ endpoint: 'http://127.0.0.1:7480', sessionToken: 'FwoGZXIvYXdzE/token+with=chars' }), bucket: 'reelay', key: 'videos/y/source' },
];

function sdkUrl(c: Case, uploadId: string, partNumber: number, contentLength: number): Promise<string> {
  const command = new UploadPartCommand({ Bucket: c.bucket, Key: c.key, UploadId: uploadId, PartNumber: partNumber, ContentLength: contentLength });
  return getSignedUrl(c.client, command, { expiresIn: 3600, signableHeaders: new Set(['content-length']), signingDate: DATE });
}

/** Origin + path, and the query parameters: the order of parameters in a URL does not matter. */
function parts(url: string): { where: string; params: Record<string, string> } {
  const u = new URL(url);
  return { where: `${u.protocol}//${u.host}${u.pathname}`, params: Object.fromEntries([...u.searchParams].sort(([a], [b]) => a.localeCompare(b))) };
}

describe('PartUrlSigner', () => {
  it.each(CASES)('signs every part exactly as the SDK does: $name', async (c) => {
    const uploadId = '2~AbC_dEf-123/+=';
    const template = await sdkUrl(c, uploadId, 7, 64 * MiB);
    const signer = PartUrlSigner.from(template, SECRET, 64 * MiB);
    expect(signer).not.toBeNull();
    for (const [partNumber, length] of [[1, 64 * MiB], [2, 64 * MiB], [999, 64 * MiB], [1000, 5 * MiB + 3], [10_000, 1]]) {
      expect(parts(signer!.sign(partNumber, length))).toEqual(parts(await sdkUrl(c, uploadId, partNumber, length)));
    }
  });

  it('refuses a template it cannot reproduce', async () => {
    const template = await sdkUrl(CASES[0], 'u1', 1, 64 * MiB);
    expect(PartUrlSigner.from(template, 'another-secret', 64 * MiB)).toBeNull();
    expect(PartUrlSigner.from(template, SECRET, 64 * MiB + 1)).toBeNull();
    expect(PartUrlSigner.from(template.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000'), SECRET, 64 * MiB)).toBeNull();
    expect(PartUrlSigner.from(template.replace('content-length%3Bhost', 'content-length%3Bcontent-type%3Bhost'), SECRET, 64 * MiB)).toBeNull();
    expect(PartUrlSigner.from(template.replace('AWS4-HMAC-SHA256', 'AWS4-ECDSA-P256-SHA256'), SECRET, 64 * MiB)).toBeNull();
    expect(PartUrlSigner.from('http://127.0.0.1:7480/reelay/key', SECRET, 64 * MiB)).toBeNull();
  });
});

describe('S3ObjectStorage.presignParts', () => {
  it('hands out URLs, in the order asked, that carry the SDK signature for their part and length', async () => {
    const c = CASES[0];
    const storage = new S3ObjectStorage(c.client, { bucket: c.bucket });
    const lengths = Array.from({ length: 50 }, (_, i) => (i === 49 ? 1234 : 64 * MiB));
    const numbers = lengths.map((_, i) => (i * 7) % 50 + 1);
    const urls = await storage.presignParts(c.key, 'up-1', numbers.map((partNumber) => ({ partNumber, contentLength: lengths[partNumber - 1] })), 3600);
    expect(urls).toHaveLength(50);
    for (const [at, url] of urls.entries()) {
      const i = numbers[at] - 1;
      const { params } = parts(url);
      expect(params.partNumber).toBe(String(i + 1));
      const date = params['X-Amz-Date'].replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z');
      const command = new UploadPartCommand({ Bucket: c.bucket, Key: c.key, UploadId: 'up-1', PartNumber: i + 1, ContentLength: lengths[i] });
      const expected = await getSignedUrl(c.client, command, { expiresIn: 3600, signableHeaders: new Set(['content-length']), signingDate: new Date(date) });
      expect(parts(url)).toEqual(parts(expected));
    }
  });
});
