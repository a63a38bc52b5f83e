import { progressPercent } from './progress-percent.js';

describe('progressPercent', () => {
  it.each([
    // completedBytes, size, completedCount, totalChunks, expected
    [0, 100, 0, 4, 0],
    [25, 100, 1, 4, 25],
    [33, 100, 1, 3, 33],
    [999, 1000, 3, 4, 99], // rounds down
    [100, 100, 3, 4, 99], // bytes say done, a chunk is missing: capped
    [100, 100, 4, 4, 100],
    [0, 0, 0, 1, 0], // empty file not finished yet
    [0, 0, 1, 1, 100],
    [-10, 100, 0, 4, 0], // never negative even if counters were corrupted
  ])('bytes %d of %d, chunks %d of %d -> %d', (completedBytes, size, completedCount, totalChunks, expected) => {
    expect(progressPercent({ completedBytes, size, completedCount, totalChunks })).toBe(expected);
  });
});
