import { batchState, type BatchState, type FileOutcome } from './batch-state.js';

describe('batchState', () => {
  const table: Array<[FileOutcome[], BatchState]> = [
    [['open'], 'uploading'],
    [['open', 'completed'], 'uploading'],
    [['completed', 'open', 'aborted'], 'uploading'],
    [['expired', 'open'], 'uploading'],
    [[], 'uploading'],
    [['completed'], 'completed'],
    [['completed', 'completed', 'completed'], 'completed'],
    [['completed', 'aborted'], 'partially_failed'],
    [['expired', 'completed'], 'partially_failed'],
    [['completed', 'aborted', 'expired'], 'partially_failed'],
    [['aborted'], 'aborted'],
    [['aborted', 'aborted'], 'aborted'],
    [['expired'], 'expired'],
    [['expired', 'expired'], 'expired'],
    [['aborted', 'expired'], 'expired'],
  ];
  it.each(table)('%j -> %s', (files, state) => {
    expect(batchState(files)).toBe(state);
  });
});
