import { isPrivateAddress, privateHostOf, publicOnlyLookup } from './webhook-address.js';

describe('webhook addresses', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['93.184.216.34', false],
    ['2606:2800:220:1::1', false],
  ])('%s is private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });

  it('names the host of a URL that points inward, and nothing for a public one', () => {
    expect(privateHostOf('http://localhost:8080/x')).toBe('localhost');
    expect(privateHostOf('http://[::1]/x')).toBe('::1');
    expect(privateHostOf('https://10.0.0.8/x')).toBe('10.0.0.8');
    expect(privateHostOf('https://example.com/x')).toBeNull();
  });

  it('refuses, when connecting, a name that resolves to a private address', async () => {
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', {}, (e) => resolve(e)),
    );
    expect(error?.code).toBe('EPRIVATEADDRESS');
    expect(error?.message).toContain('private address');
  });
});
