import { wantsRevalidation } from './progress.route.js';

describe('wantsRevalidation (Cache-Control of a progress read, RFC 9111 5.2.1)', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['no-cache', true],
    ['No-Cache', true],
    ['max-age=0', true],
    ['no-store, max-age=0', true],
    ['max-age=0 , must-revalidate', true],
    ['max-age=10', false],
    ['no-store', false],
    ['no-cache="set-cookie"', false],
  ])('%j -> %s', (header, expected) => {
    expect(wantsRevalidation(header)).toBe(expected);
  });
});
