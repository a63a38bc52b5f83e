import { expiresAt, signDiskUrl, verifyDiskUrl, type DiskUrlClaims } from './disk-signing.js';
import { StorageError, StorageErrorCode } from './storage.error.js';

const BASE = 'http://localhost:3000/api/v1/storage/disk';
const SECRET = 'test-secret';
const NOW = Date.UTC(2030, 0, 1);
const part: DiskUrlClaims = {
  op: 'part',
  key: 'videos/a b/ä?&=.mp4',
  multipartUploadId: 'u-1',
  partNumber: 3,
  length: 5 * 1024 * 1024,
  expires: NOW / 1000 + 60,
};

function query(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

function expectBadSignature(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StorageError);
  expect(caught instanceof StorageError && caught.code).toBe(StorageErrorCode.BadSignature);
}

describe('disk signed URLs', () => {
  it('round-trips every claim, whatever characters the key holds', () => {
    const url = signDiskUrl(BASE, SECRET, part);
    expect(url.startsWith(`${BASE}?op=part&key=`)).toBe(true);
    expect(verifyDiskUrl(query(url), SECRET, NOW)).toEqual(part);
  });

  it('round-trips a GET', () => {
    const get: DiskUrlClaims = { op: 'get', key: 'k', expires: part.expires };
    expect(verifyDiskUrl(query(signDiskUrl(BASE, SECRET, get)), SECRET, NOW)).toEqual({
      ...get,
      multipartUploadId: undefined,
      partNumber: undefined,
      length: undefined,
    });
  });

  it.each([
    ['op', 'get'],
    ['key', 'videos/other.mp4'],
    ['multipartUploadId', 'u-2'],
    ['partNumber', '4'],
    ['length', '5242881'],
    ['expires', String(NOW / 1000 + 3600)],
    ['signature', 'AAAA'],
  ])('refuses a URL whose %s was changed', (name, value) => {
    const q = query(signDiskUrl(BASE, SECRET, part));
    q.set(name, value);
    expectBadSignature(() => verifyDiskUrl(q, SECRET, NOW));
  });

  it.each(['op', 'key', 'expires', 'signature'])('refuses a URL without %s', (name) => {
    const q = query(signDiskUrl(BASE, SECRET, part));
    q.delete(name);
    expectBadSignature(() => verifyDiskUrl(q, SECRET, NOW));
  });

  it('refuses a URL signed with another secret', () => {
    expectBadSignature(() => verifyDiskUrl(query(signDiskUrl(BASE, 'other', part)), SECRET, NOW));
  });

  it('accepts a URL until its expiry second and refuses it after', () => {
    const q = query(signDiskUrl(BASE, SECRET, part));
    expect(() => verifyDiskUrl(q, SECRET, part.expires * 1000)).not.toThrow();
    expectBadSignature(() => verifyDiskUrl(q, SECRET, part.expires * 1000 + 1));
  });

  it('computes the expiry in whole seconds and refuses lifetimes S3 would refuse', () => {
    expect(expiresAt(60, NOW + 999)).toBe(NOW / 1000 + 60);
    expect(() => expiresAt(0, NOW)).toThrow(RangeError);
    expect(() => expiresAt(1.5, NOW)).toThrow(RangeError);
    expect(() => expiresAt(7 * 24 * 3600 + 1, NOW)).toThrow(RangeError);
  });
});
