import { abortable, checkHandlers } from './job-handler.js';

describe('checkHandlers', () => {
  it('passes when every queue has exactly one handler', () => {
    expect(checkHandlers(['a', 'b'], ['b', 'a'])).toEqual([]);
  });

  it('names a queue without handler, a queue with two, and a handler of an unknown queue', () => {
    expect(checkHandlers(['a', 'b', 'c'], ['a', 'c', 'c', 'x'])).toEqual([
      'queue "b" has no handler',
      'queue "c" has 2 handlers',
      'handler for unknown queue "x"',
    ]);
  });
});

describe('abortable', () => {
  it('settles with the work while the signal stays quiet', async () => {
    await expect(abortable(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('boom')), new AbortController().signal)).rejects.toThrow('boom');
  });

  it('rejects as soon as the signal aborts, even when the work never settles', async () => {
    const controller = new AbortController();
    const pending = abortable(new Promise(() => undefined), controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
  });
});
