/**
 * The disk driver's temporary files and its completion against parts in flight: nothing is left in
 * tmp/ by a body that breaks, leftovers of a stopped process are swept at start, and a part that
 * arrives while its upload is being completed is refused, as S3 refuses it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBody, streamOf } from '../test/helpers.js';
import { DiskObjectStorage, STALE_TEMP_MS } from './disk.object-storage.js';
import { StorageErrorCode } from './storage.error.js';

const MiB = 1024 * 1024;

/** Resolves once what was written to `stream` has been read: the upload is under way, not still starting. */
async function readBy(stream: PassThrough): Promise<void> {
  for (let waited = 0; stream.readableLength > 0 && waited < 5_000; waited += 5)
    await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('DiskObjectStorage temporary files', () => {
  let root: string;
  let storage: DiskObjectStorage;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'reelay-disk-temp-'));
    storage = new DiskObjectStorage({ root, signedUrlBase: 'http://localhost/x', signingSecret: 'secret' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const temps = () => readdirSync(join(root, 'tmp'));

  it('start() removes temporary files untouched for STALE_TEMP_MS and keeps the others', async () => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'tmp', 'stale'), 'left by a killed process');
    const old = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    utimesSync(join(root, 'tmp', 'stale'), old, old);
    writeFileSync(join(root, 'tmp', 'fresh'), 'being written');
    await storage.start();
    expect(temps()).toEqual(['fresh']);
  });

  it('a part whose body breaks mid-way leaves no temporary file', async () => {
    const id = await storage.createMultipart('videos/a/source', 'video/mp4');
    const body = new PassThrough();
    const sent = storage.uploadPart('videos/a/source', id, 1, body, 5 * MiB).catch((error: unknown) => error);
    body.write(randomBody(MiB));
    await readBy(body);
    body.destroy(new Error('client went away'));
    expect(await sent).toMatchObject({ code: StorageErrorCode.LengthMismatch });
    expect(temps()).toEqual([]);
  });

  it('a part that arrives while its upload is completed is refused; the object holds the parts listed', async () => {
    const key = 'videos/b/source';
    const id = await storage.createMultipart(key, 'video/mp4');
    const first = randomBody(5 * MiB);
    const part = await storage.uploadPart(key, id, 1, streamOf(first), first.length);
    const late = new PassThrough();
    const sent = storage.uploadPart(key, id, 1, late, first.length).catch((error: unknown) => error);
    late.write(randomBody(MiB));
    await readBy(late);
    await storage.completeMultipart(key, id, [{ partNumber: 1, etag: part.etag }]);
    late.end(randomBody(4 * MiB));
    expect(await sent).toMatchObject({ code: StorageErrorCode.NoSuchUpload });
    expect((await storage.head(key))?.etag).toBeDefined();
    expect(temps()).toEqual([]);
  });

  it('joins an object of many parts with no warning from Node, every byte in order', async () => {
    const key = 'videos/c/source';
    const id = await storage.createMultipart(key, 'video/mp4');
    const parts = Array.from({ length: 24 }, (_, i) => randomBody(i === 23 ? 1000 : 5 * MiB));
    const etags: string[] = [];
    for (const [i, bytes] of parts.entries())
      etags.push((await storage.uploadPart(key, id, i + 1, streamOf(bytes), bytes.length)).etag);
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      await storage.completeMultipart(
        key,
        id,
        etags.map((etag, i) => ({ partNumber: i + 1, etag })),
      );
      // Node emits its warnings on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).toEqual([]);
    const stored: Buffer[] = [];
    for await (const chunk of await storage.readRange(key, 0)) stored.push(chunk as Buffer);
    expect(Buffer.concat(stored).equals(Buffer.concat(parts))).toBe(true);
    expect(temps()).toEqual([]);
  });
});
