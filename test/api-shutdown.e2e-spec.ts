/**
 * The API on SIGTERM (graceful shutdown): it stops taking new connections, lets a chunk that is on its
 * way finish and answers it, and only then exits; on both drivers. (Nest re-raises the signal once its
 * shutdown hooks ran, so the process ends by SIGTERM, as orchestrators expect.)
 */
import { ChunkRequest } from './support/chunk-request.js';
import { chunkOf, randomFile } from './support/files.js';
import { DRIVERS, MiB, startStack, type Stack } from './support/stack.js';

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
