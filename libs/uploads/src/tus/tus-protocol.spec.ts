import { UploadErrorCode } from '../upload-error.js';
import { formatUploadExpires, parseByteCount, parseUploadChecksum, parseUploadMetadata } from './tus-protocol.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** The code and failing field of what `work` throws, or 'ok'. */
function failure(work: () => unknown): string {
  try {
    work();
    return 'ok';
  } catch (error) {
    const { code, details } = error as { code: string; details: { fields: Array<{ field: string }> } };
    return `${code} ${details.fields[0].field}`;
  }
}

describe('Upload-Metadata (tus creation extension)', () => {
  it.each<[string, string | undefined, Array<[string, string | null]>]>([
    ['absent', undefined, []],
    ['empty', '', []],
    [
      'the spec example',
      `filename ${b64('world_domination_plan.pdf')},is_confidential`,
      [
        ['filename', 'world_domination_plan.pdf'],
        ['is_confidential', null],
      ],
    ],
    [
      'what tus-js-client sends',
      `filename ${b64('a.mp4')},filetype ${b64('video/mp4')},channel_id ${b64('7')}`,
      [
        ['filename', 'a.mp4'],
        ['filetype', 'video/mp4'],
        ['channel_id', '7'],
      ],
    ],
    [
      'spaces around pairs',
      ` filename ${b64('a')} , x `,
      [
        ['filename', 'a'],
        ['x', null],
      ],
    ],
    ['a key with a trailing space and no value', 'empty ', [['empty', null]]],
    ['UTF-8 values', `filename ${b64('vidéo 🎬.mp4')}`, [['filename', 'vidéo 🎬.mp4']]],
  ])('%s', (_name, header, expected) => {
    expect([...parseUploadMetadata(header)]).toEqual(expected);
  });

  it.each([
    ['a duplicate key', `a ${b64('1')},a ${b64('2')}`],
    ['a value that is not base64', 'filename not*base64'],
    ['base64 without its padding', 'filename YQ'],
    ['three parts in a pair', `a ${b64('1')} extra`],
    ['an empty pair', `a ${b64('1')},,b`],
    ['a value that is not UTF-8', `filename ${Buffer.from([0xff, 0xfe]).toString('base64')}`],
  ])('refuses %s with 400 VALIDATION_FAILED', (_name, header) => {
    expect(failure(() => parseUploadMetadata(header))).toBe(`${UploadErrorCode.ValidationFailed} Upload-Metadata`);
  });
});

describe('Upload-Offset and Upload-Length (tus core protocol)', () => {
  it.each<[string | undefined, number | string]>([
    ['0', 0],
    ['12345', 12345],
    [' 7 ', 7],
    [String(2 ** 53 - 1), 2 ** 53 - 1],
    [undefined, 'VALIDATION_FAILED Upload-Offset'],
    ['', 'VALIDATION_FAILED Upload-Offset'],
    ['-1', 'VALIDATION_FAILED Upload-Offset'],
    ['1.5', 'VALIDATION_FAILED Upload-Offset'],
    ['1e3', 'VALIDATION_FAILED Upload-Offset'],
    ['0x10', 'VALIDATION_FAILED Upload-Offset'],
    [String(2 ** 53), 'VALIDATION_FAILED Upload-Offset'],
  ])('%j reads as %j', (value, expected) => {
    let got: number | string = '';
    const outcome = failure(() => (got = parseByteCount('Upload-Offset', value)));
    expect(outcome === 'ok' ? got : outcome).toEqual(expected);
  });
});

describe('Upload-Checksum (tus checksum extension)', () => {
  const sha1 = 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=';
  it.each<[string, string]>([
    [`sha1 ${sha1}`, 'sha1'],
    [`SHA256 ${b64('x'.repeat(32))}`, 'sha256'],
    [`md5 ${b64('y'.repeat(16))}`, 'md5'],
  ])('%s reads as %s', (header, algorithm) => {
    const parsed = parseUploadChecksum(header);
    expect(parsed.algorithm).toBe(algorithm);
    expect(parsed.digest.toString('base64')).toBe(header.split(' ')[1]);
  });

  it.each([
    ['an unsupported algorithm', `crc32 ${sha1}`],
    ['no digest', 'sha1'],
    ['an empty digest', 'sha1 '],
    ['a digest that is not base64', 'sha1 @@@@'],
    ['three parts', `sha1 ${sha1} more`],
  ])('refuses %s with 400 VALIDATION_FAILED', (_name, header) => {
    expect(failure(() => parseUploadChecksum(header))).toBe(`${UploadErrorCode.ValidationFailed} Upload-Checksum`);
  });
});

describe('Upload-Expires (tus expiration extension)', () => {
  it('is an RFC 7231 IMF-fixdate', () => {
    expect(formatUploadExpires(new Date(Date.UTC(2014, 5, 25, 16, 0, 0)))).toBe('Wed, 25 Jun 2014 16:00:00 GMT');
  });
});
