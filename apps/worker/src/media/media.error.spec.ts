import { rejectionReason } from './media.error.js';

describe('rejectionReason', () => {
  it.each([
    [
      "[png_pipe @ 0x55d0a8454280] Format not on whitelist 'mov,matroska'\nhttp://x: Invalid argument",
      /detected as png_pipe/,
    ],
    ['http://x/y?sig=1: Invalid data found when processing input', /not a video/],
    ['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found', /incomplete or damaged/],
  ])('names the problem of the file in %j', (stderr, reason) => {
    expect(rejectionReason(stderr)).toMatch(reason);
  });

  it.each([
    'http://x: Server returned 5XX Server Error reply',
    'http://x: Server returned 403 Forbidden (access denied)',
    'Connection to tcp://127.0.0.1:7480 failed: Connection refused',
    'http://x: Connection timed out',
  ])('leaves storage trouble to a retry: %j', (stderr) => {
    expect(rejectionReason(stderr)).toBeNull();
  });
});
