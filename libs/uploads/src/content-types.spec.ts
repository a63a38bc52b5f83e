import { recordedContentType } from './content-types.js';

describe('recordedContentType', () => {
  it.each([
    // declared, filename, recorded
    ['video/mp4', 'a.mp4', 'video/mp4'],
    ['Video/MP4', 'a.bin', 'video/mp4'],
    ['video/mp4; codecs="avc1.42E01E"', 'a.mp4', 'video/mp4'],
    ['video/avi', 'a.avi', 'video/avi'], // what Chrome on Windows says: kept as declared
    ['video/matroska', 'a.mkv', 'video/matroska'], // what Chromium says for .mkv
    ['', 'clip.MOV', 'video/quicktime'], // a browser that cannot tell: the extension does
    [undefined, 'clip.webm', 'video/webm'],
    ['application/octet-stream', 'clip.mkv', 'video/x-matroska'],
    ['  ', 'recording', 'application/octet-stream'], // nothing tells: the probe will
    ['', 'notes.txt', 'application/octet-stream'],
  ])('declared %p for %p records %p', (declared, filename, recorded) => {
    expect(recordedContentType(declared, filename)).toBe(recorded);
  });

  it.each(['image/png', 'text/html', 'application/pdf', 'audio/mpeg', 'video/', 'text/html; video/mp4', 'mp4'])(
    'refuses %p, plainly not a video',
    (declared) => {
      expect(recordedContentType(declared, 'a.mp4')).toBeNull();
    },
  );
});
