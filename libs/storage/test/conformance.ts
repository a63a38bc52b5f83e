/**
 * One behaviour suite for every ObjectStorage driver (like tus-node-server's shared store tests): what
 * the product relies on must hold on the disk driver and on a real S3 server alike. Bodies are real
 * random bytes; presigned URLs are exercised over real HTTP.
 */
import { randomUUID } from 'node:crypto';
import { MIN_PART_SIZE, type ObjectStorage, StorageErrorCode } from '../src/index.js';
import {
  expectStorageError,
  type HttpAnswer,
  httpGet as realHttpGet,
  httpPut as realHttpPut,
  KiB,
  md5Hex,
  multipartEtag,
  randomBody,
  readAll,
  sha256,
  sleep,
  streamOf,
} from './helpers.js';

export interface ConformanceSubject {
  storage: ObjectStorage;
  /** How a client reaches the storage's presigned URLs: over HTTP unless the subject answers them itself. */
  request?: (
    method: 'GET' | 'PUT',
    url: string,
    body?: Buffer,
    headers?: Record<string, string>,
  ) => Promise<HttpAnswer>;
  /** Removes what the suite stored and stops what the factory started. */
  cleanup(): Promise<void>;
}

const TTL = 300;

export function describeObjectStorageConformance(name: string, factory: () => Promise<ConformanceSubject>): void {
  describe(`ObjectStorage conformance: ${name}`, () => {
    let subject: ConformanceSubject | undefined;
    let storage: ObjectStorage;
    const newKey = (label: string) => `conformance/${label}/${randomUUID()}`;
    const httpPut = (url: string, body: Buffer, headers: Record<string, string> = {}) =>
      subject?.request ? subject.request('PUT', url, body, headers) : realHttpPut(url, body, headers);
    const httpGet = (url: string, headers: Record<string, string> = {}) =>
      subject?.request ? subject.request('GET', url, undefined, headers) : realHttpGet(url, headers);

    beforeAll(async () => {
      subject = await factory();
      storage = subject.storage;
    });
    afterAll(async () => subject?.cleanup());

    /** A one-part multipart upload with its part URL: how every small file goes up. */
    async function onePart(
      label: string,
      length: number,
      expiresIn = TTL,
    ): Promise<{ key: string; multipartUploadId: string; url: string }> {
      const key = newKey(label);
      const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
      const [url] = await storage.presignParts(
        key,
        multipartUploadId,
        [{ partNumber: 1, contentLength: length }],
        expiresIn,
      );
      return { key, multipartUploadId, url };
    }

    describe('whole objects', () => {
      it('takes a whole file as the one part of a multipart upload, whatever Content-Type the PUT sends', async () => {
        for (const contentType of [undefined, 'application/octet-stream', 'video/avi']) {
          const body = randomBody(300 * KiB + 11);
          const { key, multipartUploadId, url } = await onePart('single', body.length);
          const put = await httpPut(url, body, contentType === undefined ? {} : { 'content-type': contentType });
          expect(put.status).toBe(200);
          expect(put.headers.etag).toBe(`"${md5Hex(body)}"`);
          await storage.completeMultipart(key, multipartUploadId, [{ partNumber: 1, etag: put.headers.etag ?? '' }]);

          // The object has the type given at creation, not the PUT's.
          expect(await storage.head(key)).toEqual({
            size: body.length,
            etag: multipartEtag([body]),
            contentType: 'video/mp4',
          });
          expect(sha256(await readAll(await storage.readRange(key, 0)))).toBe(sha256(body));
          expect(await readAll(await storage.readRange(key, 1000, 1999))).toEqual(body.subarray(1000, 2000));
          expect(await readAll(await storage.readRange(key, body.length - 5))).toEqual(body.subarray(body.length - 5));
        }
      });

      it('refuses a PUT to a part URL once its upload is completed, and the object stays as it was', async () => {
        const body = randomBody(64 * KiB);
        const { key, multipartUploadId, url } = await onePart('overwrite', body.length);
        const put = await httpPut(url, body);
        await storage.completeMultipart(key, multipartUploadId, [{ partNumber: 1, etag: put.headers.etag ?? '' }]);
        const again = await httpPut(url, randomBody(body.length));
        expect(again.status).toBeGreaterThanOrEqual(400);
        expect(again.status).toBeLessThan(500);
        expect(sha256(await readAll(await storage.readRange(key, 0)))).toBe(sha256(body));
      });

      it.each([
        ['one byte short', -1],
        ['one byte long', +1],
      ])('refuses a part PUT %s and stores nothing', async (_name, delta) => {
        const { key, multipartUploadId, url } = await onePart('wrong-length', 10 * KiB);
        const put = await httpPut(url, randomBody(10 * KiB + delta));
        expect(put.status).toBeGreaterThanOrEqual(400);
        expect(put.status).toBeLessThan(500);
        expect(await storage.listParts(key, multipartUploadId)).toEqual([]);
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('refuses an expired part URL', async () => {
        const body = randomBody(KiB);
        const { key, multipartUploadId, url } = await onePart('expired', body.length, 1);
        await sleep(2_100);
        expect((await httpPut(url, body)).status).toBe(403);
        expect(await storage.listParts(key, multipartUploadId)).toEqual([]);
        await storage.abortMultipart(key, multipartUploadId);
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
        await expectStorageError(
          storage.putObject(key, streamOf(randomBody(1000)), 2000),
          StorageErrorCode.LengthMismatch,
        );
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
      it('takes a part of any length through a URL signed without one (the client chooses part sizes)', async () => {
        const key = newKey('client-sized');
        const bodies = [randomBody(MIN_PART_SIZE + 3), randomBody(10 * KiB + 1)];
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        const urls = await storage.presignParts(key, multipartUploadId, [{ partNumber: 1 }, { partNumber: 2 }], TTL);
        const puts = await Promise.all(urls.map((url, i) => httpPut(url, bodies[i])));
        expect(puts.map((p) => p.status)).toEqual([200, 200]);
        expect(await storage.listParts(key, multipartUploadId)).toEqual(
          bodies.map((body, i) => ({ partNumber: i + 1, size: body.length, etag: `"${md5Hex(body)}"` })),
        );
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('joins presigned and streamed parts, a re-uploaded part replacing the first attempt', async () => {
        const key = newKey('multipart');
        const bodies = [randomBody(MIN_PART_SIZE), randomBody(MIN_PART_SIZE), randomBody(100 * KiB + 7)];
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');

        const url1 = (
          await storage.presignParts(key, multipartUploadId, [{ partNumber: 1, contentLength: bodies[0].length }], TTL)
        )[0];
        const put1 = await httpPut(url1, bodies[0]);
        expect(put1.status).toBe(200);
        expect(put1.headers.etag).toBe(`"${md5Hex(bodies[0])}"`);

        const part2 = await storage.uploadPart(key, multipartUploadId, 2, streamOf(bodies[1]), bodies[1].length);
        expect(part2).toEqual({ partNumber: 2, size: bodies[1].length, etag: `"${md5Hex(bodies[1])}"` });

        const firstTry = randomBody(2 * KiB);
        await storage.uploadPart(key, multipartUploadId, 3, streamOf(firstTry), firstTry.length);
        const url3 = (
          await storage.presignParts(key, multipartUploadId, [{ partNumber: 3, contentLength: bodies[2].length }], TTL)
        )[0];
        const put3 = await httpPut(url3, bodies[2]);
        expect(put3.status).toBe(200);

        const etags = [put1.headers.etag ?? '', part2.etag, put3.headers.etag ?? ''];
        expect(await storage.listParts(key, multipartUploadId)).toEqual(
          bodies.map((body, i) => ({ partNumber: i + 1, size: body.length, etag: `"${md5Hex(body)}"` })),
        );

        await storage.completeMultipart(
          key,
          multipartUploadId,
          etags.map((etag, i) => ({ partNumber: i + 1, etag })),
        );
        const whole = Buffer.concat(bodies);
        expect(await storage.head(key)).toEqual({
          size: whole.length,
          etag: multipartEtag(bodies),
          contentType: 'video/mp4',
        });
        expect(sha256(await readAll(await storage.readRange(key, 0)))).toBe(sha256(whole));
        await expectStorageError(storage.listParts(key, multipartUploadId), StorageErrorCode.NoSuchUpload);
      });

      it('refuses to complete with a missing part or another ETag (InvalidPart)', async () => {
        const key = newKey('missing-part');
        const body = randomBody(MIN_PART_SIZE);
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        const part = await storage.uploadPart(key, multipartUploadId, 1, streamOf(body), body.length);
        const missing = [part, { partNumber: 2, etag: `"${md5Hex(randomBody(16))}"` }];
        await expectStorageError(
          storage.completeMultipart(key, multipartUploadId, missing),
          StorageErrorCode.InvalidPart,
        );
        const otherEtag = [{ partNumber: 1, etag: `"${md5Hex(randomBody(16))}"` }];
        await expectStorageError(
          storage.completeMultipart(key, multipartUploadId, otherEtag),
          StorageErrorCode.InvalidPart,
        );
        expect(await storage.head(key)).toBeNull();
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('refuses to complete when a part other than the last is under 5 MiB (InvalidPart)', async () => {
        const key = newKey('too-small');
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        const parts = [];
        for (const partNumber of [1, 2])
          parts.push(await storage.uploadPart(key, multipartUploadId, partNumber, streamOf(randomBody(KiB)), KiB));
        await expectStorageError(
          storage.completeMultipart(key, multipartUploadId, parts),
          StorageErrorCode.InvalidPart,
        );
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('forgets an aborted upload (NoSuchUpload), and aborting again is not an error', async () => {
        const key = newKey('abort');
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        await storage.uploadPart(key, multipartUploadId, 1, streamOf(randomBody(KiB)), KiB);
        await storage.abortMultipart(key, multipartUploadId);
        await expectStorageError(storage.listParts(key, multipartUploadId), StorageErrorCode.NoSuchUpload);
        await expectStorageError(
          storage.uploadPart(key, multipartUploadId, 2, streamOf(randomBody(KiB)), KiB),
          StorageErrorCode.NoSuchUpload,
        );
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('lists the uploads in progress under a prefix, and no longer a completed or aborted one', async () => {
        const prefix = `conformance/list-${randomUUID()}/`;
        const before = Date.now();
        const ids = new Map<string, string>();
        for (const name of ['a', 'b', 'c'])
          ids.set(name, await storage.createMultipart(`${prefix}${name}`, 'video/mp4'));
        const elsewhereKey = newKey('list-elsewhere');
        const elsewhere = await storage.createMultipart(elsewhereKey, 'video/mp4');
        const listed = await storage.listMultipartUploads(prefix);
        expect(listed.map((u) => [u.key, u.multipartUploadId]).sort()).toEqual(
          [...ids].map(([name, id]) => [`${prefix}${name}`, id]).sort(),
        );
        for (const u of listed) {
          // Storage clocks and ours may differ a little; S3 answers whole seconds.
          expect(u.initiated.getTime()).toBeGreaterThan(before - 60_000);
          expect(u.initiated.getTime()).toBeLessThan(Date.now() + 60_000);
        }
        await storage.uploadPart(`${prefix}a`, ids.get('a')!, 1, streamOf(randomBody(KiB)), KiB);
        const [part] = await storage.listParts(`${prefix}a`, ids.get('a')!);
        await storage.completeMultipart(`${prefix}a`, ids.get('a')!, [part]);
        await storage.abortMultipart(`${prefix}b`, ids.get('b')!);
        expect((await storage.listMultipartUploads(prefix)).map((u) => u.multipartUploadId)).toEqual([ids.get('c')]);
        await storage.abortMultipart(`${prefix}c`, ids.get('c')!);
        await storage.delete(`${prefix}a`);
        expect(await storage.listMultipartUploads(prefix)).toEqual([]);
        await storage.abortMultipart(elsewhereKey, elsewhere);
      });
      it('refuses a tampered presigned part URL', async () => {
        const key = newKey('tampered');
        const body = randomBody(KiB);
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        const url = new URL(
          (await storage.presignParts(key, multipartUploadId, [{ partNumber: 1, contentLength: body.length }], TTL))[0],
        );
        expect(url.searchParams.get('partNumber')).toBe('1');
        url.searchParams.set('partNumber', '2');
        expect((await httpPut(url.toString(), body)).status).toBe(403);
        expect(await storage.listParts(key, multipartUploadId)).toEqual([]);
        await storage.abortMultipart(key, multipartUploadId);
      });

      it.each([
        ['shorter', 1000],
        ['longer', 3000],
      ])('fails uploadPart from a stream %s than announced, and lists no such part', async (_name, size) => {
        const key = newKey('short-part');
        const multipartUploadId = await storage.createMultipart(key, 'video/mp4');
        await expectStorageError(
          storage.uploadPart(key, multipartUploadId, 1, streamOf(randomBody(size)), 2000),
          StorageErrorCode.LengthMismatch,
        );
        expect(await storage.listParts(key, multipartUploadId)).toEqual([]);
        await storage.abortMultipart(key, multipartUploadId);
      });

      it('answers NoSuchUpload for an upload id it never gave', async () => {
        await expectStorageError(storage.listParts(newKey('unknown'), randomUUID()), StorageErrorCode.NoSuchUpload);
      });
    });
  });
}
