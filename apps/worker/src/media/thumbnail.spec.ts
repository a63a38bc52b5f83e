import { lastLine } from './run-tool.js';
import { frameOffset } from './thumbnail.js';

describe('frameOffset', () => {
  it("reads the first frame's time from showinfo", () => {
    const stderr =
      '[Parsed_showinfo_0 @ 0x55] config in time_base: 1/15360\n[Parsed_showinfo_0 @ 0x55] n:   0 pts:-113500 pts_time:-7.38932 pos: 78274313 fmt:yuv420p\n[Parsed_showinfo_0 @ 0x55] n:   1 pts:-112988 pts_time:-7.35599';
    expect(frameOffset(stderr)).toBeCloseTo(-7.38932, 5);
  });

  it('is 0 when showinfo said nothing', () => {
    expect(frameOffset('')).toBe(0);
  });
});

describe('lastLine', () => {
  it('keeps presigned URLs out of messages', () => {
    expect(
      lastLine(
        'x\nhttp://127.0.0.1:7480/b/videos/1/source?X-Amz-Signature=abc: Server returned 5XX Server Error reply\n',
      ),
    ).toBe('<storage URL> Server returned 5XX Server Error reply');
  });
});
