/**
 * One behaviour suite for every ObjectStorage driver (like tus-node-server's shared store tests): what
 * the product relies on must hold on the disk driver and on a real S3 server alike. Bodies are real
 * random bytes; presigned URLs are exercised over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { MIN_PART_SIZE, type ObjectStorage, StorageErrorCode } from '../src/index.js';
import { expectStorageError, httpGet, httpPut, KiB, md5Hex, multipartEtag, randomBody, readAll, sha256, sleep, streamOf } from './helpers.js';

export interface ConformanceSubject {
  storage: ObjectStorage;
  /** Removes what the suite stored and stops what the factory started. */
  cleanup(): Promise<void>;
}

const TTL = 300;

export function describeObjectStorageConformance(name: string, factory: () => Promise<ConformanceSubject>): void {
  describe(`ObjectStorage conformance: ${name}`, () => {
    let subject: ConformanceSubject | undefined;
    let storage: ObjectStorage;
    const newKey = (label: string) => `conformance/${label}/${randomUUID()}`;

    beforeAll(async () => {
      subject = await factory();
      storage = subject.storage;
    });
    afterAll(async () => subject?.cleanup());

    describe('whole objects', () => {
      it('stores a presigned PUT with its signed content type, answers its size and ETag, and reads it back', async () => {
        const key = newKey('single');
        const body = randomBody(300 * KiB + 11);
        const url = await storage.presignPut(key, { contentLength: body.length, contentType: 'video/mp4', expiresIn: TTL });
        const put = await httpPut(url, body, { 'content-type': 'video/mp4' });
        expect(put.status).toBe(200);
        expect(put.headers.etag).toBe(`"${md5Hex(body)}"`);

        expect(await storage.head(key)).toEqual({ size: body.length, etag: put.headers.etag, contentType: 'video/mp4' });
        expect(sha256(await readAll(await storage.readRange(key, 0)))).toBe(sha256(body));
        expect(await readAll(await storage.readRange(key, 1000, 1999))).toEqual(body.subarray(1000, 2000));
        expect(await readAll(await storage.readRange(key, body.length - 5))).toEqual(body.subarray(body.length - 5));
      });

      it.each([
        ['one byte short', -1],
        ['one byte long', +1],
      ])('refuses a presigned PUT %s and stores nothing', async (_name, delta) => {
        const key = newKey('wrong-length');
        const url = await storage.presignPut(key, { contentLength: 10 * KiB, expiresIn: TTL });
        const put = await httpPut(url, randomBody(10 * KiB + delta));
        expect(put.status).toBeGreaterThanOrEqual(400);
        expect(put.status).toBeLessThan(500);
        expect(await storage.head(key)).toBeNull();
      });

      it('refuses a presigned PUT with another content type than the signed one', async () => {
        const key = newKey('wrong-type');
        const body = randomBody(KiB);
        const url = await storage.presignPut(key, { contentLength: body.length, contentType: 'video/mp4', expiresIn: TTL });
        expect((await httpPut(url, body, { 'content-type': 'text/html' })).status).toBe(403);
        expect(await storage.head(key)).toBeNull();
      });

      it('refuses an expired presigned URL', async () => {
        const key = newKey('expired');
        const body = randomBody(KiB);
        const url = await storage.presignPut(key, { contentLength: body.length, expiresIn: 1 });
        await sleep(2_100);
        expect((await httpPut(url, body)).status).toBe(403);
        expect(await storage.head(key)).toBeNull();
      });

      it('stores putObject from a stream and serves presigned GETs, whole and ranged', async () => {
        const key = newKey('put-object');
        const body = randomBody(200 * KiB + 3);
        const stored = await storage.putObject(key, streamOf(body), body.length, 'video/webm');
        expect(stored).toEqual({ size: body.length, etag: `"${md5Hex(body)}"`, contentType: 'video/webm' });
        expect(await storage.head(key)).toEqual(stored);

        const url = await storage.presignGet(key, TTL);
        const whole = await httpGet(url);
        expect(whole.status).toBe(200);
        expect(sha256(whole.body)).toBe(sha256(body));
        const ranged = await httpGet(url, { range: 'bytes=5-14' });
        expect(ranged.status).toBe(206);
        expect(ranged.headers['content-range']).toBe(`bytes 5-14/${body.length}`);
        expect(ranged.body).toEqual(body.subarray(5, 15));
      });

      it('fails putObject whose stream is shorter than announced, storing nothing', async () => {
        const key = newKey('short-put');
        await expectStorageError(storage.putObject(key, streamOf(randomBody(1000)), 2000), StorageErrorCode.LengthMismatch);
        expect(await storage.head(key)).toBeNull();
      });

      it('deletes, and answers a missing object as null or NotFound', async () => {
        const key = newKey('delete');
        await storage.putObject(key, streamOf(randomBody(KiB)), KiB);
        await storage.delete(key);
        expect(await storage.head(key)).toBeNull();
        await storage.delete(key); // deleting a missing object is not an error
        await expectStorageError(storage.readRange(key, 0), StorageErrorCode.NotFound);
      });
    });

    describe('multipart uploads', () => {
      it('joins presigned and streamed parts, a re-uploaded part replacing the first attempt', async () => {
        const key = newKey('multipart');
        const bodies = [randomBody(MIN_PART_SIZE), randomBody(MIN_PART_SIZE), randomBody(100 * KiB + 7)];
        const uploadId = await storage.createMultipart(key, 'video/mp4');

        const url1 = (await storage.presignParts(key, uploadId, [{ partNumber: 1, contentLength: bodies[0].length }], TTL))[0];
        const put1 = await httpPut(url1, bodies[0]);
        expect(put1.status).toBe(200);
        expect(put1.headers.etag).toBe(`"${md5Hex(bodies[0])}"`);

        const part2 = await storage.uploadPart(key, uploadId, 2, streamOf(bodies[1]), bodies[1].length);
        expect(part2).toEqual({ partNumber: 2, size: bodies[1].length, etag: `"${md5Hex(bodies[1])}"` });

        const firstTry = randomBody(2 * KiB);
        await storage.uploadPart(key, uploadId, 3, streamOf(firstTry), firstTry.length);
        const url3 = (await storage.presignParts(key, uploadId, [{ partNumber: 3, contentLength: bodies[2].length }], TTL))[0];
        const put3 = await httpPut(url3, bodies[2]);
        expect(put3.status).toBe(200);

        const etags = [put1.headers.etag ?? '', part2.etag, put3.headers.etag ?? ''];
        expect(await storage.listParts(key, uploadId)).toEqual(
          bodies.map((body, i) => ({ partNumber: i + 1, size: body.length, etag: `"${md5Hex(body)}"` })),
        );

        await storage.completeMultipart(key, uploadId, etags.map((etag, i) => ({ partNumber: i + 1, etag })));
        const whole = Buffer.concat(bodies);
        expect(await storage.head(key)).toEqual({ size: whole.length, etag: multipartEtag(bodies), contentType: 'video/mp4' });
        expect(sha256(await readAll(await storage.readRange(key, 0)))).toBe(sha256(whole));
        await expectStorageError(storage.listParts(key, uploadId), StorageErrorCode.NoSuchUpload);
      });

      it('refuses to complete with a missing part or another ETag (InvalidPart)', async () => {
        const key = newKey('missing-part');
        const body = randomBody(MIN_PART_SIZE);
        const uploadId = await storage.createMultipart(key, 'video/mp4');
        const part = await storage.uploadPart(key, uploadId, 1, streamOf(body), body.length);
        const missing = [part, { partNumber: 2, etag: `"${md5Hex(randomBody(16))}"` }];
        await expectStorageError(storage.completeMultipart(key, uploadId, missing), StorageErrorCode.InvalidPart);
        const otherEtag = [{ partNumber: 1, etag: `"${md5Hex(randomBody(16))}"` }];
        await expectStorageError(storage.completeMultipart(key, uploadId, otherEtag), StorageErrorCode.InvalidPart);
        expect(await storage.head(key)).toBeNull();
        await storage.abortMultipart(key, uploadId);
      });

      it('refuses to complete when a part other than the last is under 5 MiB (InvalidPart)', async () => {
        const key = newKey('too-small');
        const uploadId = await storage.createMultipart(key, 'video/mp4');
        const parts = [];
        for (const partNumber of [1, 2]) parts.push(await storage.uploadPart(key, uploadId, partNumber, streamOf(randomBody(KiB)), KiB));
        await expectStorageError(storage.completeMultipart(key, uploadId, parts), StorageErrorCode.InvalidPart);
        await storage.abortMultipart(key, uploadId);
      });

      it('forgets an aborted upload (NoSuchUpload), and aborting again is not an error', async () => {
        const key = newKey('abort');
        const uploadId = await storage.createMultipart(key, 'video/mp4');
        await storage.uploadPart(key, uploadId, 1, streamOf(randomBody(KiB)), KiB);
        await storage.abortMultipart(key, uploadId);
        await expectStorageError(storage.listParts(key, uploadId), StorageErrorCode.NoSuchUpload);
        await expectStorageError(storage.uploadPart(key, uploadId, 2, streamOf(randomBody(KiB)), KiB), StorageErrorCode.NoSuchUpload);
        await storage.abortMultipart(key, uploadId);
      });

      it('refuses a tampered presigned part URL', async () => {
        const key = newKey('tampered');
        const body = randomBody(KiB);
        const uploadId = await storage.createMultipart(key, 'video/mp4');
        const url = new URL((await storage.presignParts(key, uploadId, [{ partNumber: 1, contentLength: body.length }], TTL))[0]);
        expect(url.searchParams.get('partNumber')).toBe('1');
        url.searchParams.set('partNumber', '2');
        expect((await httpPut(url.toString(), body)).status).toBe(403);
        expect(await storage.listParts(key, uploadId)).toEqual([]);
        await storage.abortMultipart(key, uploadId);
      });

      it.each([
        ['shorter', 1000],
        ['longer', 3000],
      ])('fails uploadPart from a stream %s than announced, and lists no such part', async (_name, size) => {
        const key = newKey('short-part');
        const uploadId = await storage.createMultipart(key, 'video/mp4');
        await expectStorageError(storage.uploadPart(key, uploadId, 1, streamOf(randomBody(size)), 2000), StorageErrorCode.LengthMismatch);
        expect(await storage.listParts(key, uploadId)).toEqual([]);
        await storage.abortMultipart(key, uploadId);
      });

      it('answers NoSuchUpload for an upload id it never gave', async () => {
        await expectStorageError(storage.listParts(newKey('unknown'), randomUUID()), StorageErrorCode.NoSuchUpload);
      });
    });
  });
}
