import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256Of } from './sha256.js';

/** Chunks of uneven sizes, as a socket gives them. */
function chunksOf(data: Buffer, sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length];
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** A stream that gives one chunk and then waits, as a slow connection does. */
function stalled(): Readable {
  const body = new Readable({ read: () => undefined });
  body.push(randomBytes(100_000));
  return body;
}

describe('sha256Of', () => {
  it('hashes a stream of many chunks to the digest of its bytes, and counts them', async () => {
    const data = randomBytes(300_001);
    const result = await sha256Of(Readable.from(chunksOf(data, [1, 4095, 65_536, 10_000, 777])));
    expect(result).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length });
  });

  it('answers the digest of nothing for an empty stream', async () => {
    expect(await sha256Of(Readable.from([]))).toEqual({
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      bytes: 0,
    });
  });

  it('stops when the signal aborts, and destroys the stream', async () => {
    const body = stalled();
    const controller = new AbortController();
    const hashing = sha256Of(body, controller.signal);
    await sleep(20);
    controller.abort();
    await expect(hashing).rejects.toMatchObject({ name: 'AbortError' });
    expect(body.destroyed).toBe(true);
  });

  it('rejects with the error of the stream', async () => {
    const body = stalled();
    const hashing = sha256Of(body);
    setTimeout(() => body.destroy(new Error('connection reset')), 20);
    await expect(hashing).rejects.toThrow('connection reset');
  });
});
