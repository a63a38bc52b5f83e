import { bitmapRanges, chunkRanges, parseChunkRanges } from './chunk-ranges.js';

describe('chunk ranges', () => {
  it.each([
    ['none', [], ''],
    ['one', [0], '0'],
    ['one run', [0, 1, 2, 3], '0-3'],
    ['runs and lone chunks', [0, 1, 2, 3, 5, 7, 8, 9], '0-3,5,7-9'],
    ['lone chunks', [4, 6], '4,6'],
    ['10,000 in a row', Array.from({ length: 10_000 }, (_, i) => i), '0-9999'],
  ])('%s', (_name, indices: number[], ranges) => {
    expect(chunkRanges(indices)).toBe(ranges);
    expect(parseChunkRanges(ranges)).toEqual(indices);
  });

  it('stays small for 10,000 chunks with every other one stored: one entry per stored run', () => {
    const everyOther = Array.from({ length: 5_000 }, (_, i) => 2 * i);
    expect(chunkRanges(everyOther).split(',')).toHaveLength(5_000);
    expect(chunkRanges(Array.from({ length: 9_999 }, (_, i) => (i < 4_000 ? i : i + 1)))).toBe('0-3999,4001-9999');
  });

  it.each([
    // bitmap bytes, total chunks, ranges
    [[0b1100_0001, 0b0100_0001], 12, '0-1,7,9'], // bit 15 is past the 12 chunks
    [[], 12, ''],
    [[0xff, 0xff, 0xff], 24, '0-23'],
    [[0xff, 0xff, 0xff], 20, '0-19'],
    [[0xff, 0x00, 0xff], 24, '0-7,16-23'],
    [[0x01, 0x80], 16, '7-8'],
    [[0xff], 12, '0-7'], // the bitmap ends before the last chunks: those are not stored
    [[0xaa, 0xaa], 16, '0,2,4,6,8,10,12,14'],
  ])('reads the Redis bitmap %j of %d chunks, high bit first, as %p', (bytes, total, ranges) => {
    expect(bitmapRanges(Uint8Array.from(bytes), total)).toBe(ranges);
  });

  it('reads a bitmap the same way as the indices it holds', () => {
    const total = 1000;
    const stored = Array.from({ length: total }, (_, i) => i).filter((i) => (i * 7919) % 13 < 6);
    const bitmap = new Uint8Array(Math.ceil(total / 8));
    for (const i of stored) bitmap[i >> 3] |= 0x80 >> (i & 7);
    expect(bitmapRanges(bitmap, total)).toBe(chunkRanges(stored));
  });
});
