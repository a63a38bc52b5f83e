import { S3Client } from '@aws-sdk/client-s3';
import { arePlainUrls, S3ObjectStorage } from '#storage';
import { serializeJson } from './json-reply.js';

const MiB = 1024 * 1024;
const storage = new S3ObjectStorage(
  new S3Client({ endpoint: 'http://127.0.0.1:7480', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } }),
  { bucket: 'reelay' },
);

/** Part URLs as init hands them out. */
async function partUrls(count: number, uploadId = 'up-1'): Promise<string[]> {
  const parts = Array.from({ length: count }, (_, i) => ({ partNumber: i + 1, contentLength: i === count - 1 ? 7 : 64 * MiB }));
  return storage.presignParts(`videos/${uploadId}/source`, uploadId, parts, 3600);
}

/** What the client reads: the text of the answer's bytes. */
function text(serialized: string | Buffer): string {
  return Buffer.isBuffer(serialized) ? serialized.toString('utf8') : serialized;
}

describe('serializeJson', () => {
  it("writes init's answer as JSON.stringify does, as one buffer of UTF-8", async () => {
    const [a, b] = [await partUrls(1000, 'up-a'), await partUrls(3, 'up-b')];
    expect(arePlainUrls(a) && arePlainUrls(b)).toBe(true);
    const payload = {
      success: true,
      data: [
        { uploadId: 'u1', filename: 'été "à la plage" \\ 🎬.mp4', presignedUrls: a, totalChunks: 1000 },
        { uploadId: 'u2', filename: 'b.mov', presignedUrls: b, nested: { again: a } },
      ],
    };
    const out = serializeJson(payload);
    expect(Buffer.isBuffer(out)).toBe(true);
    expect(out).toEqual(Buffer.from(JSON.stringify(payload)));
    expect(JSON.parse(text(out))).toEqual(JSON.parse(JSON.stringify(payload)));
  });

  it('leaves answers without marked lists to JSON.stringify', () => {
    const payload = { success: false, error: { code: 'X', message: 'm', details: { urls: ['a"b', 'c\\d', '\u0000'], n: 1, none: undefined } } };
    expect(serializeJson(payload)).toBe(JSON.stringify(payload));
    expect(serializeJson([])).toBe('[]');
    expect(serializeJson(null)).toBe('null');
  });

  it('is not fooled by a value that looks like where a list goes', async () => {
    const urls = await partUrls(2);
    // The text a list stands in for carries a random tag: a user's string cannot name it.
    const lookalikes = ['\u00000', '\u0000:0', `\u0000${'0'.repeat(16)}:0`, '"\u0000'];
    const payload = { filenames: lookalikes, presignedUrls: urls, more: lookalikes.map((filename) => ({ filename, presignedUrls: urls })) };
    expect(text(serializeJson(payload))).toBe(JSON.stringify(payload));
  });

  it('writes an empty marked list and a list at the top', async () => {
    const none = await storage.presignParts('videos/x/source', 'x', [], 3600);
    const urls = await partUrls(5);
    expect(text(serializeJson({ none, urls }))).toBe(JSON.stringify({ none, urls }));
    expect(text(serializeJson(urls))).toBe(JSON.stringify(urls));
  });
});
