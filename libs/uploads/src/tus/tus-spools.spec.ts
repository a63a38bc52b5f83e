import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { TusSpools } from './tus-spools.js';

describe('TusSpools', () => {
  let spools: TusSpools;
  beforeEach(() => (spools = new TusSpools()));
  afterEach(() => spools.onApplicationShutdown());

  it('a spool read before a terminate removes its file still yields every byte', async () => {
    const spool = await spools.create('upload-1', Readable.from([Buffer.from('kept bytes')]));
    const bytes = await spool.read();
    await spools.forget('upload-1');
    expect(await text(bytes)).toBe('kept bytes');
    await spool.close();
  });

  it('reading a spool whose file a terminate removed rejects, rather than failing a stream nobody listens to', async () => {
    const spool = await spools.create('upload-2');
    await spool.append(Buffer.from('abc'));
    await spools.forget('upload-2');
    // Before, the stream's ENOENT was emitted while the storage driver was still awaiting its own I/O:
    // an uncaught 'error' that took the API down.
    await expect(spool.read()).rejects.toMatchObject({ code: 'ENOENT' });
    await spool.close();
  });
});
