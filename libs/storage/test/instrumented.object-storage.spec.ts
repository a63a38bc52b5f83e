/** The metrics wrapper counts each call by operation and outcome, and each error by its code. */
import { register } from 'prom-client';
import { InstrumentedObjectStorage, StorageError, StorageErrorCode } from '../src/index.js';
import { InMemoryObjectStorage } from './in-memory.object-storage.js';

/** A sample of the registry: `metric` (a histogram's `_count` too) with these labels, 0 when absent. */
async function sample(metric: string, labels: Record<string, string>): Promise<number> {
  const values = (await register.getMetricsAsJSON()).flatMap((m) =>
    m.values.map((v: { value: number; labels: object; metricName?: string }) => ({
      value: v.value,
      labels: v.labels as Record<string, unknown>,
      metricName: v.metricName ?? m.name,
    })),
  );
  const found = values.find(
    (v) => v.metricName === metric && Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return found?.value ?? 0;
}

describe('InstrumentedObjectStorage', () => {
  it('times every call by operation and outcome, and counts errors by code, passing the error on', async () => {
    const storage = new InstrumentedObjectStorage(new InMemoryObjectStorage());
    const calls = { operation: 'head', outcome: 'ok' };
    const failures = { operation: 'listParts', code: StorageErrorCode.NoSuchUpload };
    const before = [
      await sample('reelay_storage_operation_duration_seconds_count', calls),
      await sample('reelay_storage_errors_total', failures),
    ];
    expect(await storage.head('nothing/here')).toBeNull();
    await expect(storage.listParts('nothing/here', 'no-such-upload')).rejects.toBeInstanceOf(StorageError);
    expect([
      await sample('reelay_storage_operation_duration_seconds_count', calls),
      await sample('reelay_storage_errors_total', failures),
    ]).toEqual([before[0] + 1, before[1] + 1]);
    expect(storage.driver).toBe(new InMemoryObjectStorage().driver);
  });
});
