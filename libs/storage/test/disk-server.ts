/** A DiskObjectStorage in a temp folder, served by a real node:http server so that its signed URLs work. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskObjectStorage } from '../src/index.js';

export interface DiskServer {
  storage: DiskObjectStorage;
  root: string;
  /** What the server's `serve()` calls are still doing, so a test can wait for them to settle. */
  pending: Set<Promise<void>>;
  close: () => Promise<void>;
}

export async function startDiskServer(): Promise<DiskServer> {
  const root = await mkdtemp(join(tmpdir(), 'reelay-disk-test-'));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const storage = new DiskObjectStorage({
    root,
    // The path is the API's; serve() reads only the query, so any path works.
    signedUrlBase: `http://127.0.0.1:${address.port}/api/v1/storage/disk`,
    signingSecret: randomBytes(32).toString('hex'),
    onServeError: (error, errorId) => console.error(`disk serve failed (${errorId})`, error),
  });
  const pending = new Set<Promise<void>>();
  server.on('request', (req, res) => {
    const done = storage.serve(req, res).finally(() => pending.delete(done));
    pending.add(done);
  });
  return {
    storage,
    root,
    pending,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await rm(root, { recursive: true, force: true });
    },
  };
}
