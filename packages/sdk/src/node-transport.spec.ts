import { randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileFromPath } from './node.js';
import { NodeTransport } from './node-transport.js';

/** A server that answers the body it received, hex-encoded. */
async function echoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => res.end(Buffer.concat(parts).toString('hex')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/part` };
}

describe('NodeTransport with slices of fileFromPath', () => {
  let dir: string;
  let path: string;
  let echo: { server: Server; url: string };
  const bytes = randomBytes(3 * 1024 * 1024 + 17);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reelay-transport-'));
    path = join(dir, 'video.bin');
    await writeFile(path, bytes);
    echo = await echoServer();
  });
  afterAll(async () => {
    echo.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [0, 1024 * 1024],
    [1024 * 1024, 3 * 1024 * 1024],
    [3 * 1024 * 1024, 3 * 1024 * 1024 + 17],
  ])('sends bytes %i to %i exactly, as the Blob holds them', async (start, end) => {
    const file = await fileFromPath(path);
    const body = file.slice(start, end);
    let reported = 0;
    const result = await new NodeTransport().send({
      method: 'PUT',
      url: echo.url,
      body,
      onProgress: (sent) => (reported = sent),
    });
    expect(result.status).toBe(200);
    expect(result.body).toBe(Buffer.from(await body.arrayBuffer()).toString('hex'));
    expect(result.body).toBe(bytes.subarray(start, end).toString('hex'));
    expect(reported).toBe(end - start);
  });

  it('refuses a file changed since, as the Blob does', async () => {
    const file = await fileFromPath(path);
    await appendFile(path, 'more');
    await expect(
      new NodeTransport().send({ method: 'PUT', url: echo.url, body: file.slice(0, 1024) }),
    ).rejects.toThrow();
    await writeFile(path, bytes);
  });
});
