import {
  chunkLength,
  chunkRange,
  DEFAULT_PART_SIZE,
  DEFAULT_SINGLE_UPLOAD_MAX,
  GiB,
  MAX_PART_SIZE,
  MAX_PARTS,
  MAX_UPLOAD_SIZE,
  MiB,
  MIN_PART_SIZE,
  partSizeFor,
  planUpload,
} from './part-plan.js';

const TiB = 1024 * GiB;
const defaults = { singleUploadMax: DEFAULT_SINGLE_UPLOAD_MAX, partSize: DEFAULT_PART_SIZE };

describe('planUpload', () => {
  it.each([
    ['1 byte', 1, false, 1, 1],
    ['150 MiB exactly', 150 * MiB, false, 150 * MiB, 1],
    ['150 MiB + 1 byte', 150 * MiB + 1, true, 64 * MiB, 3],
    ['192 MiB (3 full parts)', 192 * MiB, true, 64 * MiB, 3],
    ['192 MiB + 1 byte', 192 * MiB + 1, true, 64 * MiB, 4],
  ])('%s with the defaults', (_name, size, isChunked, chunkSize, totalChunks) => {
    expect(planUpload(size, defaults)).toEqual({ isChunked, chunkSize, totalChunks });
  });

  it('raises a configured part size below 5 MiB to 5 MiB', () => {
    expect(planUpload(12 * MiB, { singleUploadMax: MiB, partSize: MiB })).toEqual({
      isChunked: true,
      chunkSize: MIN_PART_SIZE,
      totalChunks: 3,
    });
  });

  it('raises the part size so that a 1 TiB file needs at most 10,000 parts', () => {
    const plan = planUpload(TiB, defaults);
    expect(plan.chunkSize).toBeGreaterThan(DEFAULT_PART_SIZE);
    expect(plan.chunkSize % MiB).toBe(0);
    expect(plan.totalChunks).toBeLessThanOrEqual(MAX_PARTS);
    expect(plan.totalChunks * plan.chunkSize).toBeGreaterThanOrEqual(TiB);
  });

  it('plans the largest upload S3 allows with 10,000 parts of 5 GiB', () => {
    expect(planUpload(MAX_UPLOAD_SIZE, defaults)).toEqual({
      isChunked: true,
      chunkSize: MAX_PART_SIZE,
      totalChunks: MAX_PARTS,
    });
  });

  it('never sends more than 5 GiB in one PUT, whatever singleUploadMax says', () => {
    expect(planUpload(5 * GiB, { singleUploadMax: 10 * GiB, partSize: DEFAULT_PART_SIZE }).isChunked).toBe(false);
    expect(planUpload(5 * GiB + 1, { singleUploadMax: 10 * GiB, partSize: DEFAULT_PART_SIZE }).isChunked).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, MAX_UPLOAD_SIZE + 1])('refuses a file size of %p', (size) => {
    expect(() => planUpload(size, defaults)).toThrow(RangeError);
  });
});

describe('partSizeFor', () => {
  it.each([
    ['the preferred size when it fits', 10 * GiB, 64 * MiB, 64 * MiB],
    ['5 MiB instead of a smaller preference', 100 * MiB, 1 * MiB, MIN_PART_SIZE],
    ['5 GiB instead of a larger preference', 100 * GiB, 6 * GiB, MAX_PART_SIZE],
    ['exactly 10,000 parts of the preferred size', MAX_PARTS * 64 * MiB, 64 * MiB, 64 * MiB],
    ['1 MiB more when 10,000 parts are one byte short', MAX_PARTS * 64 * MiB + 1, 64 * MiB, 65 * MiB],
  ])('answers %s', (_name, size, preferred, expected) => {
    expect(partSizeFor(size, preferred)).toBe(expected);
  });

  it.each([TiB, 3 * TiB, 10 * TiB, 40 * TiB, MAX_UPLOAD_SIZE])('keeps %p bytes within 10,000 parts', (size) => {
    const partSize = partSizeFor(size, DEFAULT_PART_SIZE);
    expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_PARTS);
    expect(partSize).toBeLessThanOrEqual(MAX_PART_SIZE);
  });
});

describe('chunkRange and chunkLength', () => {
  const size = 150 * MiB + 1;
  const plan = planUpload(size, defaults);

  it('covers the file with consecutive ranges', () => {
    expect(chunkRange(plan, size, 0)).toEqual({ start: 0, end: 64 * MiB });
    expect(chunkRange(plan, size, 1)).toEqual({ start: 64 * MiB, end: 128 * MiB });
    expect(chunkRange(plan, size, 2)).toEqual({ start: 128 * MiB, end: size });
  });

  it('gives the last chunk the remainder', () => {
    expect(chunkLength(plan, size, 0)).toBe(64 * MiB);
    expect(chunkLength(plan, size, 2)).toBe(22 * MiB + 1);
  });

  it('gives a single upload one chunk of the whole file', () => {
    const single = planUpload(1000, defaults);
    expect(chunkRange(single, 1000, 0)).toEqual({ start: 0, end: 1000 });
    expect(chunkLength(single, 1000, 0)).toBe(1000);
  });

  it('gives a full last chunk when the size is a multiple of the part size', () => {
    const even = planUpload(192 * MiB, defaults);
    expect(chunkLength(even, 192 * MiB, 2)).toBe(64 * MiB);
  });

  it.each([-1, 3, 1.5, Number.NaN])('refuses chunk index %p', (index) => {
    expect(() => chunkRange(plan, size, index)).toThrow(RangeError);
    expect(() => chunkLength(plan, size, index)).toThrow(RangeError);
  });
});
