/**
 * What only the disk driver has: its HTTP handler (status codes, the error envelope, Range and HEAD),
 * its refusal of unsafe keys, and its files (no partial part after a broken upload, no temp files left).
 */
import { randomUUID } from 'node:crypto';
import { readdir, rename, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { request } from 'undici';
import { StorageErrorCode } from '../src/index.js';
import { startDiskServer, type DiskServer } from './disk-server.js';
import { expectStorageError, httpGet, httpPut, KiB, md5Hex, randomBody, sleep, streamOf } from './helpers.js';

let disk: DiskServer;
beforeAll(async () => {
  disk = await startDiskServer();
});
afterAll(() => disk.close());

const newKey = () => `videos/${randomUUID()}/source`;

interface ErrorEnvelope {
  success: boolean;
  error: { code: string; message: string; details: unknown };
}

function envelope(body: Buffer | string): ErrorEnvelope {
  return JSON.parse(body.toString('utf8')) as ErrorEnvelope;
}

describe('DiskObjectStorage.serve', () => {
  it('answers other methods with 405 and an Allow header', async () => {
    const url = await disk.storage.presignGet(newKey(), 60);
    const res = await request(url, { method: 'POST', body: 'x' });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, PUT');
    const answer = envelope(await res.body.text());
    expect(answer).toEqual({
      success: false,
      error: { code: 'METHOD_NOT_ALLOWED', message: answer.error.message, details: null },
    });
    expect(answer.error.message).toMatch(/POST is not allowed/);
  });

  it('answers a wrong Content-Length with 400 and the expected length in details', async () => {
    const key = newKey();
    const multipartUploadId = await disk.storage.createMultipart(key, 'video/mp4');
    const [url] = await disk.storage.presignParts(key, multipartUploadId, [{ partNumber: 1, contentLength: 10 }], 60);
    const res = await httpPut(url, randomBody(9));
    expect(res.status).toBe(400);
    expect(envelope(res.body).error).toMatchObject({
      code: 'LENGTH_MISMATCH',
      details: { expected: 10, received: '9' },
    });
  });

  it('refuses to use a GET URL for a PUT and a part URL for a GET (403)', async () => {
    const key = newKey();
    expect((await httpPut(await disk.storage.presignGet(key, 60), randomBody(1))).status).toBe(403);
    const multipartUploadId = await disk.storage.createMultipart(key, 'video/mp4');
    const res = await httpGet(
      (await disk.storage.presignParts(key, multipartUploadId, [{ partNumber: 1, contentLength: 1 }], 60))[0],
    );
    expect(res.status).toBe(403);
    expect(envelope(res.body).error.code).toBe('BAD_SIGNATURE');
  });

  it('answers 404 for an unknown object or upload', async () => {
    const get = await httpGet(await disk.storage.presignGet(newKey(), 60));
    expect(get.status).toBe(404);
    expect(envelope(get.body).error.code).toBe('OBJECT_NOT_FOUND');
    const part = await httpPut(
      (await disk.storage.presignParts(newKey(), randomUUID(), [{ partNumber: 1, contentLength: 1 }], 60))[0],
      randomBody(1),
    );
    expect(part.status).toBe(404);
    expect(envelope(part.body).error.code).toBe('NO_SUCH_UPLOAD');
  });

  it('serves HEAD, suffix ranges and 416 for a range past the end', async () => {
    const key = newKey();
    const body = randomBody(1000);
    await disk.storage.putObject(key, streamOf(body), body.length, 'video/mp4');
    const url = await disk.storage.presignGet(key, 60);

    const head = await request(url, { method: 'HEAD' });
    await head.body.dump();
    expect(head.statusCode).toBe(200);
    expect(head.headers).toMatchObject({
      'content-length': '1000',
      'content-type': 'video/mp4',
      etag: `"${md5Hex(body)}"`,
      'accept-ranges': 'bytes',
    });

    const suffix = await httpGet(url, { range: 'bytes=-10' });
    expect(suffix.status).toBe(206);
    expect(suffix.body).toEqual(body.subarray(990));
    const open = await httpGet(url, { range: 'bytes=990-' });
    expect(open.headers['content-range']).toBe('bytes 990-999/1000');

    const beyond = await httpGet(url, { range: 'bytes=1000-' });
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */1000');
  });

  it('stores no part and leaves no temp file when the client goes away mid-body', async () => {
    const key = newKey();
    const multipartUploadId = await disk.storage.createMultipart(key, 'video/mp4');
    const url = (
      await disk.storage.presignParts(key, multipartUploadId, [{ partNumber: 1, contentLength: 1024 * KiB }], 60)
    )[0];
    const req = httpRequest(url, { method: 'PUT', headers: { 'content-length': String(1024 * KiB) } });
    req.on('error', () => undefined); // we break it on purpose
    req.write(randomBody(100 * KiB));
    await sleep(100);
    req.destroy();
    for (let i = 0; i < 50 && disk.pending.size > 0; i++) await sleep(20);
    expect(disk.pending.size).toBe(0);
    expect(await disk.storage.listParts(key, multipartUploadId)).toEqual([]);
    expect(await readdir(join(disk.root, 'tmp'))).toEqual([]);
  });
});

describe('DiskObjectStorage files and keys', () => {
  it.each(['', '/etc/passwd', '../outside', 'a/../../b', 'a//b', 'a/./b', 'nul\0byte', 'back\\slash'])(
    'refuses the key %p',
    async (key) => {
      await expect(disk.storage.putObject(key, streamOf(randomBody(1)), 1)).rejects.toThrow(RangeError);
      await expect(disk.storage.head(key)).rejects.toThrow(RangeError);
      await expect(disk.storage.presignGet(key, 60)).rejects.toThrow(RangeError);
      await expect(disk.storage.createMultipart(key, 'video/mp4')).rejects.toThrow(RangeError);
    },
  );

  it('treats the folder of deeper keys as no object (key "a" next to "a/b")', async () => {
    const prefix = newKey();
    await disk.storage.putObject(`${prefix}/child`, streamOf(randomBody(10)), 10);
    expect(await disk.storage.head(prefix)).toBeNull();
    await expectStorageError(disk.storage.readRange(prefix, 0), StorageErrorCode.NotFound);
    await disk.storage.delete(prefix);
    expect((await disk.storage.head(`${prefix}/child`))?.size).toBe(10);
  });

  it('recomputes the ETag when the sidecar describes another file (replaced by hand or torn by a crash)', async () => {
    const key = newKey();
    await disk.storage.putObject(key, streamOf(randomBody(100)), 100);
    const replacement = randomBody(50);
    const tmp = join(disk.root, 'tmp', 'by-hand');
    await writeFile(tmp, replacement);
    await rename(tmp, join(disk.root, 'objects', key));
    expect(await disk.storage.head(key)).toEqual({
      size: 50,
      etag: `"${md5Hex(replacement)}"`,
      contentType: undefined,
    });
  });

  it('answers NoSuchUpload for a part of an upload under another key, or after completion', async () => {
    const key = newKey();
    const multipartUploadId = await disk.storage.createMultipart(key, 'video/mp4');
    await expectStorageError(
      disk.storage.uploadPart(newKey(), multipartUploadId, 1, streamOf(randomBody(1)), 1),
      StorageErrorCode.NoSuchUpload,
    );
    const part = await disk.storage.uploadPart(key, multipartUploadId, 1, streamOf(randomBody(10)), 10);
    await disk.storage.completeMultipart(key, multipartUploadId, [part]);
    await expectStorageError(
      disk.storage.uploadPart(key, multipartUploadId, 2, streamOf(randomBody(1)), 1),
      StorageErrorCode.NoSuchUpload,
    );
    await expectStorageError(
      disk.storage.completeMultipart(key, multipartUploadId, [part]),
      StorageErrorCode.NoSuchUpload,
    );
    expect(await readdir(join(disk.root, 'multipart'))).not.toContain(multipartUploadId);
  });

  it('refuses parts out of order at completion (InvalidPart)', async () => {
    const key = newKey();
    const multipartUploadId = await disk.storage.createMultipart(key, 'video/mp4');
    const parts = [];
    for (const n of [1, 2])
      parts.push(await disk.storage.uploadPart(key, multipartUploadId, n, streamOf(randomBody(10)), 10));
    await expectStorageError(
      disk.storage.completeMultipart(key, multipartUploadId, [parts[1], parts[0]]),
      StorageErrorCode.InvalidPart,
    );
    await expectStorageError(disk.storage.completeMultipart(key, multipartUploadId, []), StorageErrorCode.InvalidPart);
  });
});
