/**
 * The API on SIGTERM (graceful shutdown): it stops taking new connections, lets a chunk that is on its
 * way finish and answers it, and only then exits; on both drivers. (Nest re-raises the signal once its
 * shutdown hooks ran, so the process ends by SIGTERM, as orchestrators expect.)
 */
import { request } from 'node:http';
import { ChunkRequest } from './support/chunk-request.js';
import { chunkOf, randomFile } from './support/files.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';
import { metadata, tus, TUS_PATH } from './support/tus.js';

describe.each(DRIVERS)('the API stopping on SIGTERM on the %s driver', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => stack?.stop());

  it('finishes the chunk on its way, answers it, refuses new connections, then exits', async () => {
    const file = randomFile(11 * MiB);
    const init = await stack.api.init({ channel_id: 'c1', files: [{ filename: 'a.mp4', size: file.length }] });
    const s = init.body.data![0];
    const chunk = chunkOf(file, s.chunkSize, 0);
    const req = new ChunkRequest(stack.url, stack.api.token!, { uploadId: s.uploadId, index: 0 }, chunk.length);
    await req.write(chunk.subarray(0, MiB));
    let answered = false;
    const exited = new Promise<{ code: number | null; signal: string | null; afterAnswer: boolean }>((resolve) =>
      stack.apiProcess.once('exit', (code, signal) => resolve({ code, signal, afterAnswer: answered })),
    );
    stack.apiProcess.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    // A new connection is refused while the chunk still arrives.
    await expect(fetch(`${stack.url}/health`)).rejects.toThrow();
    for (let at = MiB; at < chunk.length; at += MiB) await req.write(chunk.subarray(at, at + MiB));
    req.end();
    expect(await req.answer).toMatchObject({ status: 200, body: { data: { chunkIndex: 0, size: chunk.length } } });
    answered = true;
    const exit = await exited;
    expect(exit.afterAnswer).toBe(true);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
  });
});

describe.each(DRIVERS)('the API stopping on SIGTERM during a tus PATCH on the %s driver', (driver) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver });
  });
  afterAll(async () => stack?.stop());

  it('finishes the PATCH on its way, answers its Upload-Offset, keeps it durable, then exits', async () => {
    const file = randomFile(12 * MiB);
    const auth = { authorization: `Bearer ${stack.api.token!}`, 'tus-resumable': '1.0.0' };
    const created = await tus(`${stack.url}${TUS_PATH}`, 'POST', {
      ...auth,
      'upload-length': String(file.length + MiB),
      'upload-metadata': metadata({ filename: 'a.mp4', channel_id: 'c1' }),
    });
    const url = new URL(created.headers.location!);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PATCH',
      agent: false,
      headers: {
        ...auth,
        'upload-offset': '0',
        'content-type': 'application/offset+octet-stream',
        'content-length': String(file.length),
      },
    });
    const answer = new Promise<{ status?: number; offset?: string; error?: string }>((resolve) => {
      req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
      req.once('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode, offset: res.headers['upload-offset'] as string | undefined });
      });
    });
    const write = (bytes: Buffer) => new Promise<void>((resolve) => req.write(bytes, () => resolve()));
    await write(file.subarray(0, 2 * MiB));
    // The API takes the PATCH (token, lock, session) and starts its spool before it is told to stop.
    await new Promise((r) => setTimeout(r, 1000));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      stack.apiProcess.once('exit', (code, signal) => resolve({ code, signal })),
    );
    stack.apiProcess.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    for (let at = 2 * MiB; at < file.length; at += MiB) await write(file.subarray(at, at + MiB));
    req.end();
    expect(await answer).toEqual({ status: 204, offset: String(file.length) });
    const exit = await exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(stack.logs()).not.toContain('ENOENT');
    const { rows } = await stack.db.query<{ tus_offset: string }>(
      'SELECT tus_offset FROM upload_sessions WHERE id = $1',
      [url.pathname.split('/').pop()],
    );
    expect(rows[0].tus_offset).toBe(String(file.length));
  });
});
