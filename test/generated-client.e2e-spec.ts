/**
 * The contract for generators: a client generated from the OpenAPI document by common tools
 * (openapi-typescript's types, openapi-fetch's client) runs the whole flow, chunks sent raw and as
 * forms included, and reads errors by their documented codes. The committed types are what the
 * generator makes of the live document (npm run openapi writes both).
 */
import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import { request } from 'undici';
import { CLIENT_TYPES_PATH, clientTypes } from '../scripts/openapi-types.js';
import type { paths } from '../packages/sdk/src/generated/reelay-api.js';
import { chunkOf, putTo, randomFile, sha256, sha256OfStream } from './support/files.js';
import { MiB, startStack, type Stack } from './support/stack.js';

/** The chunk route's two bodies on the wire: the bytes raw, or a form with them as its `chunk` file. */
function chunkBody(body: Blob | { chunk: Blob }): Blob | FormData {
  if (body instanceof Blob) return body;
  const form = new FormData();
  form.append('chunk', body.chunk, 'chunk.bin');
  return form;
}

describe('a client generated from the OpenAPI document', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 'disk' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is what openapi-typescript generates from the live document', async () => {
    const live = (await (await request(`${stack.url}/docs-json`)).body.json()) as object;
    expect(await clientTypes(live)).toBe(readFileSync(CLIENT_TYPES_PATH, 'utf8'));
  });

  it('runs init, chunks (raw and form), presigned PUTs, progress, retry, complete, the video and abort', async () => {
    const client = createClient<paths>({ baseUrl: stack.url, headers: { authorization: `Bearer ${stack.api.token}` } });
    const whole = randomFile(MiB + 1);
    const parts = randomFile(11 * MiB); // 5 MiB, 5 MiB, 1 MiB
    const init = await client.POST('/api/v1/videos/batch/init', {
      body: {
        channel_id: '7',
        files: [
          { filename: 'whole.mp4', size: whole.length, type: 'video/mp4' },
          { filename: 'parts.mp4', size: parts.length, type: '' },
          { filename: 'dropped.mp4', size: 10 },
        ],
      },
    });
    expect(init.response.status).toBe(201);
    const [a, b, c] = init.data!.data;
    expect([a.isChunked, b.isChunked, b.totalChunks, b.contentType]).toEqual([false, true, 3, 'video/mp4']);

    expect((await putTo(a.presignedUrls[0], whole)).status).toBe(200);
    const path = (chunkIndex: number) => ({ path: { uploadId: b.uploadId, chunkIndex } });
    const raw = await client.POST('/api/v1/videos/batch/chunk/{uploadId}/{chunkIndex}', {
      params: path(0),
      body: new Blob([chunkOf(parts, b.chunkSize, 0)]),
      bodySerializer: chunkBody,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(raw.data?.data).toMatchObject({ chunkIndex: 0, completedCount: 1 });
    const form = await client.POST('/api/v1/videos/batch/chunk/{uploadId}/{chunkIndex}', {
      params: path(1),
      body: { chunk: new Blob([chunkOf(parts, b.chunkSize, 1)]) },
      bodySerializer: chunkBody,
    });
    expect(form.data?.data).toMatchObject({ chunkIndex: 1, completedCount: 2 });
    expect((await putTo(b.presignedUrls[2], chunkOf(parts, b.chunkSize, 2))).status).toBe(200);

    const uploadId = (id: string) => ({ params: { path: { uploadId: id } } });
    // Cache-Control: no-cache, a header of the contract: what storage holds now, the part PUT just before included.
    const progress = await client.GET('/api/v1/videos/batch/progress/{uploadId}', {
      params: { path: { uploadId: b.uploadId }, header: { 'Cache-Control': 'no-cache' } },
    });
    expect(progress.data?.data).toMatchObject({ completedCount: 3, progress: 100, storedChunks: '0-2' });
    expect((await client.POST('/api/v1/videos/batch/retry/{uploadId}', uploadId(b.uploadId))).data?.data).toEqual([]);

    for (const [session, source] of [
      [a, whole],
      [b, parts],
    ] as const) {
      const done = await client.POST('/api/v1/videos/batch/complete/{uploadId}', uploadId(session.uploadId));
      expect(done.data?.data).toMatchObject({ videoId: session.fileId, size: source.length, status: 'uploaded' });
      const video = await client.GET('/api/v1/videos/{videoId}', { params: { path: { videoId: session.fileId } } });
      expect(video.data?.data).toMatchObject({ videoId: session.fileId, filename: session.filename });
      const stored = await stack.storage.readRange(`videos/${session.fileId}/source`, 0);
      expect(await sha256OfStream(stored)).toBe(sha256(source));
    }

    const aborted = await client.POST('/api/v1/videos/batch/abort/{uploadId}', uploadId(c.uploadId));
    expect(aborted.data?.data).toEqual({ uploadId: c.uploadId, status: 'aborted' });
    const gone = await client.GET('/api/v1/videos/batch/progress/{uploadId}', uploadId(c.uploadId));
    expect([gone.response.status, gone.error?.error.code]).toEqual([410, 'UPLOAD_ABORTED']);
    const unknown = await client.POST('/api/v1/videos/batch/complete/{uploadId}', uploadId('not-a-uuid'));
    expect([unknown.response.status, unknown.error?.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });
});
