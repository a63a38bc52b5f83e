import { jest } from '@jest/globals';
import { SignJWT } from 'jose';
import { UploadError } from '#uploads';
import { JwtVerifier } from './jwt-verifier.js';

const config = { algorithm: 'HS256' as const, key: 'k'.repeat(32), issuer: 'reelay', audience: 'reelay-upload' };
const sign = (claims: Record<string, unknown>, exp: number, key = config.key) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuer('reelay')
    .setAudience('reelay-upload')
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(key));

describe('JwtVerifier', () => {
  afterEach(() => jest.useRealTimers());

  it('answers the user and the channels the token allows', async () => {
    const now = Math.floor(Date.now() / 1000);
    const verifier = new JwtVerifier(config);
    expect(await verifier.verify(await sign({ channels: ['1', 2] }, now + 60))).toEqual({
      id: 'alice',
      channels: ['1', '2'],
    });
    expect(await verifier.verify(await sign({ channels: '*' }, now + 60))).toEqual({ id: 'alice', channels: '*' });
    expect(await verifier.verify(await sign({}, now + 60))).toEqual({ id: 'alice', channels: [] });
  });

  it('refuses a token signed with another key', async () => {
    const token = await sign({}, Math.floor(Date.now() / 1000) + 60, 'x'.repeat(32));
    await expect(new JwtVerifier(config).verify(token)).rejects.toBeInstanceOf(UploadError);
  });

  it('refuses a subject the database could not store (a control character)', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('al\u0000ice')
      .setIssuer('reelay')
      .setAudience('reelay-upload')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 60)
      .sign(new TextEncoder().encode(config.key));
    await expect(new JwtVerifier(config).verify(token)).rejects.toThrow('the token has no valid subject');
  });

  it('remembers a verified token only until it expires', async () => {
    jest.useFakeTimers({
      now: new Date('2026-11-25T12:00:00Z'),
      doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'],
    });
    const token = await sign({}, Math.floor(Date.now() / 1000) + 60);
    const verifier = new JwtVerifier(config);
    const first = await verifier.verify(token);
    expect(await verifier.verify(token)).toBe(first);
    jest.setSystemTime(new Date('2026-11-25T12:02:00Z')); // past exp and the 30 s of tolerated skew
    await expect(verifier.verify(token)).rejects.toThrow('the token has expired');
  });
});
