import { backoffDelay, DEFAULT_RETRY, sleep } from './backoff.js';
import { parseChunkRanges } from './chunk-ranges.js';
import { Limiter } from './limiter.js';
import { secondsLeft, SpeedMeter } from './progress.js';

describe('backoffDelay (full jitter)', () => {
  const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1_000 };
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.999, 799],
    [10, 0.5, 500], // capped at maxDelayMs
    [2, 0, 0],
  ])('retry %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected);
  });
});

describe('sleep', () => {
  it('rejects with the reason when aborted', async () => {
    const controller = new AbortController();
    const waiting = sleep(10_000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });
});

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, in order', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limiter.run(async () => {
          peak = Math.max(peak, ++running);
          order.push(i);
          await new Promise((r) => setTimeout(r, 5));
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('SpeedMeter', () => {
  it('measures bytes per second over its window', () => {
    let now = 0;
    const meter = new SpeedMeter(5_000, () => now);
    expect(meter.update(0)).toBe(0);
    now = 1_000;
    expect(meter.update(1_000_000)).toBe(1_000_000);
    now = 10_000;
    expect(meter.update(1_000_000)).toBe(0); // nothing sent in the last 9 s
    expect(secondsLeft(2_000, 1_000)).toBe(2);
  });

  it('keeps samples apart: frequent updates replace the latest one', () => {
    let now = 0;
    const meter = new SpeedMeter(5_000, () => now, 100);
    meter.update(0);
    for (let i = 1; i <= 1_000; i++) {
      now = i; // 1,000 updates within one second, a byte per millisecond
      meter.update(i * 1_000);
    }
    expect(meter.update(1_000_000)).toBe(1_000_000);
    expect(secondsLeft(2_000, 0)).toBeNull();
  });
});

describe('parseChunkRanges', () => {
  it.each([
    ['', []],
    ['0', [0]],
    ['0-3,5,7-8', [0, 1, 2, 3, 5, 7, 8]],
  ])('%j', (ranges, chunks) => {
    expect([...parseChunkRanges(ranges)]).toEqual(chunks);
  });
});
