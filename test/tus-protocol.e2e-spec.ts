/**
 * The tus 1.0.0 protocol (https://tus.io/protocols/resumable-upload) as Reelay's API speaks it, header by
 * header and status by status: the core protocol (OPTIONS, HEAD, PATCH, Tus-Resumable), and the creation,
 * creation-with-upload, termination, expiration and checksum extensions, on both drivers, against the
 * built API on real PostgreSQL, Redis and storage. Each upload is also a Reelay session: the batch progress
 * and abort routes take its id, and its last byte makes the Video row and the processing job.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { eventually, randomFile, sha256, sha256OfStream } from './support/files.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';
import { metadata, tus, TUS_PATH, type TusAnswer } from './support/tus.js';

const MAX_FILE = 64 * MiB;
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const META = { filename: 'clip.mp4', filetype: 'video/mp4', channel_id: '7' };

describe.each(DRIVERS)('the tus protocol on the %s driver', (driver) => {
  let stack: Stack;
  let auth: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack({
      driver,
      env: { UPLOAD_MAX_FILE_BYTES: String(MAX_FILE), UPLOAD_SESSION_TTL_SECONDS: '3600' },
    });
    auth = { authorization: `Bearer ${stack.api.token!}`, 'tus-resumable': '1.0.0' };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const url = (id = '') => `${stack.url}${TUS_PATH}${id ? `/${id}` : ''}`;
  const idOf = (location: string | undefined) => location!.split('/').pop()!;

  async function create(size: number, meta: Record<string, string> = META, headers: Record<string, string> = {}) {
    const res = await tus(url(), 'POST', {
      ...auth,
      'upload-length': String(size),
      'upload-metadata': metadata(meta),
      ...headers,
    });
    expect([res.status, res.body?.error]).toEqual([201, undefined]);
    return idOf(res.headers.location);
  }

  const patch = (id: string, offset: number, body: Buffer, headers: Record<string, string> = {}) =>
    tus(
      url(id),
      'PATCH',
      { ...auth, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', ...headers },
      body,
    );

  const head = (id: string, headers = auth) => tus(url(id), 'HEAD', headers);

  const codeOf = (res: TusAnswer) => [res.status, res.body?.error?.code];

  async function session(id: string) {
    const { rows } = await stack.db.query<{ state: string; storage_key: string; tus_offset: string }>(
      'SELECT state, storage_key, tus_offset FROM upload_sessions WHERE id = $1',
      [id],
    );
    return rows[0];
  }

  describe('OPTIONS (core protocol, discovery)', () => {
    it.each(['', '/8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11'])(
      'answers 204 with what the server offers on %s, with no token',
      async (path) => {
        const res = await tus(`${url()}${path}`, 'OPTIONS', {});
        expect(res.status).toBe(204);
        expect(res.headers).toMatchObject({
          'tus-resumable': '1.0.0',
          'tus-version': '1.0.0',
          'tus-extension': 'creation,creation-with-upload,termination,expiration,checksum',
          'tus-max-size': String(MAX_FILE),
          'tus-checksum-algorithm': 'sha1,sha256,md5',
        });
        expect(res.headers['tus-extension']).not.toContain('creation-defer-length');
      },
    );

    it('still answers CORS preflights, allowing the tus methods and headers', async () => {
      const res = await tus(url(), 'OPTIONS', {
        origin: 'http://app.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'tus-resumable,upload-offset,upload-checksum,content-type,authorization',
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toEqual(expect.stringContaining('PATCH'));
      expect(res.headers['access-control-allow-methods']).toEqual(expect.stringContaining('DELETE'));
      for (const h of ['Tus-Resumable', 'Upload-Offset', 'Upload-Length', 'Upload-Metadata', 'Upload-Checksum'])
        expect(res.headers['access-control-allow-headers']).toContain(h);
    });
  });

  describe('Tus-Resumable (core protocol)', () => {
    it.each([
      ['without Tus-Resumable', {}],
      ['with another version', { 'tus-resumable': '0.2.2' }],
    ])('answers 412 with Tus-Version to a request %s, before anything else', async (_name, version) => {
      for (const method of ['POST', 'HEAD', 'PATCH', 'DELETE'] as const) {
        const res = await tus(url(method === 'POST' ? '' : '8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11'), method, version);
        expect([method, res.status, res.headers['tus-version'], res.headers['tus-resumable']]).toEqual([
          method,
          412,
          '1.0.0',
          '1.0.0',
        ]);
        if (method !== 'HEAD') expect(res.body?.error?.code).toBe('TUS_VERSION_UNSUPPORTED');
      }
    });

    it('is on every answer, errors included, and the token is required (401)', async () => {
      const res = await tus(url(), 'POST', { 'tus-resumable': '1.0.0', 'upload-length': '10' });
      expect([res.status, res.headers['tus-resumable']]).toEqual([401, '1.0.0']);
    });
  });

  describe('POST (creation)', () => {
    it('answers 201 with Location, Upload-Offset 0, Upload-Expires and Tus-Resumable; the id is a Reelay upload', async () => {
      const before = Date.now();
      const res = await tus(url(), 'POST', {
        ...auth,
        'upload-length': String(3 * MiB),
        'upload-metadata': metadata(META),
      });
      expect(res.status).toBe(201);
      expect(res.headers.location).toMatch(new RegExp(`^${stack.url}/api/v1/tus/[0-9a-f-]{36}$`));
      expect(res.headers).toMatchObject({ 'tus-resumable': '1.0.0', 'upload-offset': '0' });
      expect(res.headers['upload-expires']).toMatch(IMF_FIXDATE);
      const expires = Date.parse(res.headers['upload-expires']!);
      expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
      expect(expires).toBeLessThanOrEqual(Date.now() + 3600_000);
      const id = idOf(res.headers.location);
      expect(res.body?.data).toMatchObject({ uploadId: id, offset: 0, length: 3 * MiB, completed: false });
      const progress = await stack.api.progress(id);
      expect([progress.status, progress.body.data?.filename, progress.body.data?.progress]).toEqual([
        200,
        'clip.mp4',
        0,
      ]);
      const { rows } = await stack.db.query(
        'SELECT channel_id, content_type, owner_id FROM upload_sessions WHERE id = $1',
        [id],
      );
      expect(rows[0]).toEqual({ channel_id: '7', content_type: 'video/mp4', owner_id: 'alice' });
    });

    it.each<[string, Record<string, string>, string]>([
      ['no Upload-Length', { 'upload-metadata': metadata(META) }, 'Upload-Length'],
      ['a negative Upload-Length', { 'upload-length': '-1', 'upload-metadata': metadata(META) }, 'Upload-Length'],
      [
        'Upload-Length 0 (init takes no empty file)',
        { 'upload-length': '0', 'upload-metadata': metadata(META) },
        'Upload-Length',
      ],
      ['metadata that is not base64', { 'upload-length': '10', 'upload-metadata': 'filename ***' }, 'Upload-Metadata'],
      [
        'a duplicate metadata key',
        { 'upload-length': '10', 'upload-metadata': `${metadata(META)},${metadata({ filename: 'b.mp4' })}` },
        'Upload-Metadata',
      ],
      [
        'no filename',
        { 'upload-length': '10', 'upload-metadata': metadata({ filetype: 'video/mp4', channel_id: '7' }) },
        'Upload-Metadata.filename',
      ],
      [
        'no channel_id',
        { 'upload-length': '10', 'upload-metadata': metadata({ filename: 'a.mp4' }) },
        'Upload-Metadata.channel_id',
      ],
      [
        'a type that is no video',
        { 'upload-length': '10', 'upload-metadata': metadata({ ...META, filetype: 'image/png' }) },
        'VALIDATION_FAILED',
      ],
    ])('answers 400 VALIDATION_FAILED to %s', async (_name, headers, field) => {
      const res = await tus(url(), 'POST', { ...auth, ...headers });
      expect(codeOf(res)).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.headers['tus-resumable']).toBe('1.0.0');
      if (field !== 'VALIDATION_FAILED')
        expect((res.body?.error?.details as { fields: Array<{ field: string }> }).fields[0].field).toBe(field);
    });

    it('answers 403 for a channel the token does not list, and 413 above Tus-Max-Size', async () => {
      const bob = { ...auth, authorization: `Bearer ${await stack.token('bob', ['1'])}` };
      const forbidden = await tus(url(), 'POST', { ...bob, 'upload-length': '10', 'upload-metadata': metadata(META) });
      expect(codeOf(forbidden)).toEqual([403, 'CHANNEL_FORBIDDEN']);
      const big = await tus(url(), 'POST', {
        ...auth,
        'upload-length': String(MAX_FILE + 1),
        'upload-metadata': metadata(META),
      });
      expect(codeOf(big)).toEqual([413, 'UPLOAD_TOO_LARGE']);
      expect(
        (await tus(url(), 'POST', { ...auth, 'upload-length': String(MAX_FILE), 'upload-metadata': metadata(META) }))
          .status,
      ).toBe(201);
    });

    it('creation-with-upload: the body of the POST is the first bytes, Upload-Offset says how many', async () => {
      const file = randomFile(7 * MiB);
      const res = await tus(
        url(),
        'POST',
        {
          ...auth,
          'upload-length': String(file.length),
          'upload-metadata': metadata(META),
          'content-type': 'application/offset+octet-stream',
        },
        file.subarray(0, 2 * MiB),
      );
      expect([res.status, res.headers['upload-offset'], res.headers['tus-resumable']]).toEqual([
        201,
        String(2 * MiB),
        '1.0.0',
      ]);
      const id = idOf(res.headers.location);
      const last = await patch(id, 2 * MiB, file.subarray(2 * MiB));
      expect([last.status, last.headers['upload-offset']]).toEqual([204, String(file.length)]);
      await expectVideo(id, file);
    });
  });

  describe('HEAD (core protocol)', () => {
    it('answers 200 with Upload-Offset, Upload-Length, Upload-Metadata as created, Upload-Expires and Cache-Control: no-store', async () => {
      const meta = { ...META, extra: 'kept as sent' };
      const id = await create(12 * MiB, meta);
      expect((await patch(id, 0, randomFile(1 * MiB))).status).toBe(204);
      const res = await head(id);
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({
        'tus-resumable': '1.0.0',
        'upload-offset': String(1 * MiB),
        'upload-length': String(12 * MiB),
        'upload-metadata': metadata(meta),
        'cache-control': 'no-store',
      });
      expect(res.headers['upload-expires']).toMatch(IMF_FIXDATE);
      expect(res.body).toBeNull();
    });

    it("answers 404 for an unknown upload, another user's, or a batch upload; 400 for an id that is no UUID", async () => {
      const id = await create(1000);
      const carol = { ...auth, authorization: `Bearer ${await stack.token('carol')}` };
      const batch = (
        await stack.api.init({ channel_id: '7', files: [{ filename: 'a.mp4', size: 1000, type: 'video/mp4' }] })
      ).body.data![0];
      for (const [target, headers] of [
        ['8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11', auth],
        [id, carol],
        [batch.uploadId, auth],
      ] as const) {
        const res = await head(target, headers);
        expect([res.status, res.headers['tus-resumable']]).toEqual([404, '1.0.0']);
      }
      expect((await head('not-a-uuid')).status).toBe(400);
      expect(codeOf(await patch(id, 0, Buffer.alloc(10), { authorization: carol.authorization }))).toEqual([
        404,
        'UPLOAD_NOT_FOUND',
      ]);
    });
  });

  describe('PATCH (core protocol)', () => {
    it('appends at Upload-Offset in PATCHes of any length; the last byte makes the video, as complete does', async () => {
      const file = randomFile(12 * MiB + 7); // parts of 5 MiB: PATCHes of 3 MiB end mid-part
      const id = await create(file.length);
      let offset = 0;
      for (const size of [3 * MiB, 3 * MiB, 3 * MiB, 3 * MiB + 7]) {
        const res = await patch(id, offset, file.subarray(offset, offset + size));
        offset += size;
        expect([res.status, res.headers['upload-offset'], res.headers['tus-resumable']]).toEqual([
          204,
          String(offset),
          '1.0.0',
        ]);
        expect(res.body).toBeNull();
        if (offset < file.length) expect(res.headers['upload-expires']).toMatch(IMF_FIXDATE);
        expect((await head(id)).headers['upload-offset']).toBe(String(offset));
      }
      await expectVideo(id, file);
      const done = await head(id);
      expect([done.status, done.headers['upload-offset'], done.headers['upload-length']]).toEqual([
        200,
        String(file.length),
        String(file.length),
      ]);
      expect(await stack.storage.head(`tus-partial/${id}`)).toBeNull();
      const progress = await stack.api.progress(id);
      expect([progress.body.data?.status, progress.body.data?.progress]).toEqual(['completed', 100]);
    });

    it('counts progress in stored parts, and the partial chunk is kept in storage outside videos/', async () => {
      const file = randomFile(11 * MiB);
      const id = await create(file.length);
      expect((await patch(id, 0, file.subarray(0, 6 * MiB))).status).toBe(204);
      const progress = await stack.api.progress(id);
      expect([progress.body.data?.completedCount, progress.body.data?.progress]).toEqual([
        1,
        Math.floor((5 / 11) * 100),
      ]);
      expect((await stack.storage.head(`tus-partial/${id}`))?.size).toBe(1 * MiB);
      expect(Number((await session(id)).tus_offset)).toBe(6 * MiB);
    });

    it('answers 409 with the upload offset to a wrong Upload-Offset, and changes nothing', async () => {
      const id = await create(1000);
      expect((await patch(id, 0, Buffer.alloc(100, 1))).status).toBe(204);
      for (const wrong of [0, 50, 101]) {
        const res = await patch(id, wrong, Buffer.alloc(10, 2));
        expect(codeOf(res)).toEqual([409, 'UPLOAD_OFFSET_MISMATCH']);
        expect((res.body?.error?.details as { offset: number }).offset).toBe(100);
        expect(res.headers['tus-resumable']).toBe('1.0.0');
      }
      expect((await head(id)).headers['upload-offset']).toBe('100');
    });

    it('answers 415 to another Content-Type, 400 without Upload-Offset, 413 past Upload-Length', async () => {
      const id = await create(1000);
      expect(codeOf(await patch(id, 0, Buffer.alloc(10), { 'content-type': 'application/octet-stream' }))).toEqual([
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ]);
      const noOffset = await tus(
        url(id),
        'PATCH',
        { ...auth, 'content-type': 'application/offset+octet-stream' },
        Buffer.alloc(10),
      );
      expect(codeOf(noOffset)).toEqual([400, 'VALIDATION_FAILED']);
      expect(codeOf(await patch(id, 0, Buffer.alloc(1001)))).toEqual([413, 'UPLOAD_TOO_LARGE']);
      expect((await head(id)).headers['upload-offset']).toBe('0');
    });
  });

  describe('extensions not offered', () => {
    it('refuses a partial or final upload of the concatenation extension (Upload-Concat) with 400, making nothing', async () => {
      for (const concat of ['partial', `final;${url('8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11')}`]) {
        const res = await tus(url(), 'POST', {
          ...auth,
          'upload-length': '1000',
          'upload-metadata': metadata(META),
          'upload-concat': concat,
        });
        expect(codeOf(res)).toEqual([400, 'VALIDATION_FAILED']);
        expect(JSON.stringify(res.body)).toContain('Upload-Concat');
        expect(res.headers.location).toBeUndefined();
      }
    });
  });

  describe('X-HTTP-Method-Override (core protocol)', () => {
    it('a POST with X-HTTP-Method-Override: PATCH appends as a PATCH does, and DELETE terminates', async () => {
      const file = randomFile(6 * MiB + 3);
      const id = await create(file.length);
      const override = (method: string, headers: Record<string, string>, body?: Buffer) =>
        tus(url(id), 'POST', { ...auth, 'x-http-method-override': method, ...headers }, body);
      const first = await override(
        'PATCH',
        { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        file.subarray(0, 4 * MiB),
      );
      expect([first.status, first.headers['upload-offset']]).toEqual([204, String(4 * MiB)]);
      const wrong = await override(
        'patch',
        { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
        Buffer.alloc(10),
      );
      expect(codeOf(wrong)).toEqual([409, 'UPLOAD_OFFSET_MISMATCH']);
      expect((await head(id)).headers['upload-offset']).toBe(String(4 * MiB));
      expect((await override('DELETE', {})).status).toBe(204);
      expect((await head(id)).status).toBe(410);
    });
  });

  describe('checksum extension', () => {
    const digest = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest('base64');

    it.each(['sha1', 'sha256', 'md5'])('takes a body that matches its %s Upload-Checksum', async (algorithm) => {
      const id = await create(6 * MiB + 1);
      const body = randomFile(5 * MiB + 100);
      const res = await patch(id, 0, body, { 'upload-checksum': `${algorithm} ${digest(algorithm, body)}` });
      expect([res.status, res.headers['upload-offset']]).toEqual([204, String(body.length)]);
    });

    it('answers 460 Checksum Mismatch and keeps nothing of a body that does not match; 400 for another algorithm', async () => {
      const id = await create(1000);
      const body = Buffer.alloc(100, 3);
      const res = await patch(id, 0, body, { 'upload-checksum': `sha1 ${digest('sha1', Buffer.alloc(100, 4))}` });
      expect(codeOf(res)).toEqual([460, 'CHECKSUM_MISMATCH']);
      expect(res.headers['tus-resumable']).toBe('1.0.0');
      const reason = await fetch(url(id), {
        method: 'PATCH',
        headers: {
          ...auth,
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'upload-checksum': `sha1 ${digest('sha1', Buffer.alloc(1))}`,
        },
        body: body,
      });
      expect([reason.status, reason.statusText]).toEqual([460, 'Checksum Mismatch']);
      expect((await head(id)).headers['upload-offset']).toBe('0');
      expect(codeOf(await patch(id, 0, body, { 'upload-checksum': `crc32 ${digest('md5', body)}` }))).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
      expect(
        (await patch(id, 0, body, { 'upload-checksum': `sha1 ${digest('sha1', body)}` })).headers['upload-offset'],
      ).toBe('100');
    });
  });

  describe('termination extension', () => {
    it('DELETE answers 204; the upload, its parts and partial chunk go, and later requests answer 410', async () => {
      const id = await create(11 * MiB);
      expect((await patch(id, 0, randomFile(6 * MiB))).status).toBe(204);
      const { storage_key } = await session(id);
      const res = await tus(url(id), 'DELETE', auth);
      expect([res.status, res.headers['tus-resumable'], res.body]).toEqual([204, '1.0.0', null]);
      expect((await session(id)).state).toBe('aborted');
      expect(await stack.storage.head(`tus-partial/${id}`)).toBeNull();
      expect(await stack.storage.head(storage_key)).toBeNull();
      expect((await head(id)).status).toBe(410);
      expect(codeOf(await patch(id, 6 * MiB, Buffer.alloc(10)))).toEqual([410, 'UPLOAD_ABORTED']);
      expect(codeOf(await tus(url(id), 'DELETE', auth))).toEqual([410, 'UPLOAD_ABORTED']);
      expect((await stack.api.progress(id)).status).toBe(410);
    });

    it('a PATCH cut off, then terminated while its bytes are being kept, leaves no partial object behind', async () => {
      const id = await create(MAX_FILE);
      const target = new URL(url(id));
      const req = request({
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'PATCH',
        agent: false,
        headers: {
          ...auth,
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
          'content-length': String(60 * MiB),
        },
      });
      req.on('error', () => undefined);
      for (let i = 0; i < 40; i++) await new Promise<void>((resolve) => req.write(randomFile(MiB), () => resolve()));
      // What tus-js-client's abort(true) does: drop the PATCH in flight, then terminate at once, while the API
      // is still storing what arrived as the partial object.
      req.destroy();
      expect((await tus(url(id), 'DELETE', auth)).status).toBe(204);
      await new Promise((r) => setTimeout(r, 3000));
      expect(await stack.storage.head(`tus-partial/${id}`)).toBeNull();
      expect((await session(id)).state).toBe('aborted');
    });

    it('the batch abort route takes a tus upload too', async () => {
      const id = await create(1000);
      expect((await stack.api.abort(id)).status).toBe(200);
      expect((await head(id)).status).toBe(410);
    });
  });

  describe('expiration extension', () => {
    it('an expired upload answers 410, and the cleanup deletes its parts and its partial chunk', async () => {
      const id = await create(11 * MiB);
      expect((await patch(id, 0, randomFile(6 * MiB))).status).toBe(204);
      expect(await stack.storage.head(`tus-partial/${id}`)).not.toBeNull();
      // The client walked away: its session runs out (as if UPLOAD_SESSION_TTL_SECONDS had passed).
      await stack.db.query(`UPDATE upload_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
      expect(codeOf(await patch(id, 6 * MiB, Buffer.alloc(10)))).toEqual([410, 'UPLOAD_EXPIRED']);
      expect((await head(id)).status).toBe(410);
      const worker = await stack.startWorker({ WORKER_CLEANUP_INTERVAL_SECONDS: '1' });
      try {
        expect(
          await eventually(
            async () => (await session(id)).state,
            (s) => s === 'expired',
            20_000,
          ),
        ).toBe('expired');
        expect(await stack.storage.head(`tus-partial/${id}`)).toBeNull();
      } finally {
        worker.kill('SIGTERM');
      }
    });
  });

  describe('durability', () => {
    it('the offset survives a Redis flush, and another API instance goes on from the partial chunk', async () => {
      const file = randomFile(13 * MiB + 5);
      const id = await create(file.length);
      expect((await patch(id, 0, file.subarray(0, 7 * MiB))).status).toBe(204);
      const { deleteDeploymentKeys } = await import('./support/stack.js');
      await deleteDeploymentKeys(stack.redis, stack.redisPrefix);
      const other = await stack.startApi();
      try {
        const otherUrl = `${other.url}${TUS_PATH}/${id}`;
        expect((await tus(otherUrl, 'HEAD', auth)).headers['upload-offset']).toBe(String(7 * MiB));
        const rest = await tus(
          otherUrl,
          'PATCH',
          { ...auth, 'upload-offset': String(7 * MiB), 'content-type': 'application/offset+octet-stream' },
          file.subarray(7 * MiB),
        );
        expect([rest.status, rest.headers['upload-offset']]).toEqual([204, String(file.length)]);
      } finally {
        other.process.kill('SIGTERM');
      }
      await expectVideo(id, file);
    });
  });

  /** The Video row of the upload, its stored bytes (sha256) and its processing job. */
  async function expectVideo(uploadId: string, source: Buffer): Promise<void> {
    const { rows } = await stack.db.query<{ id: string; size: string; storage_key: string; filename: string }>(
      'SELECT id, size, storage_key, filename FROM videos WHERE upload_id = $1',
      [uploadId],
    );
    expect(rows).toHaveLength(1);
    expect([Number(rows[0].size), rows[0].filename]).toEqual([source.length, 'clip.mp4']);
    expect(await sha256OfStream(await stack.storage.readRange(rows[0].storage_key, 0))).toBe(sha256(source));
    expect((await stack.queue.getJob(`process-${rows[0].id}`))?.data).toEqual({
      videoId: rows[0].id,
      requestId: expect.any(String) as unknown,
    });
    expect((await session(uploadId)).state).toBe('completed');
  }
});
