/**
 * Runs the ObjectStorage conformance suite against both drivers: disk (a temp folder, served over a
 * real node:http server so that its signed URLs work) and s3 (the radosgw the jest global set-up
 * started, in a fresh bucket per run, behind the metrics wrapper the apps use); and against the in-memory
 * storage of the use cases' unit tests.
 */
import { ensureBucket, InstrumentedObjectStorage, S3ObjectStorage } from '../src/index.js';
import { describeObjectStorageConformance, type ConformanceSubject } from './conformance.js';
import { startDiskServer } from './disk-server.js';
import { InMemoryObjectStorage } from './in-memory.object-storage.js';
import { createTestBucket } from './s3-bucket.js';

describeObjectStorageConformance('disk', async (): Promise<ConformanceSubject> => {
  const disk = await startDiskServer();
  return { storage: disk.storage, cleanup: disk.close };
});

// Measured, as StorageModule hands it to the apps: the wrapper changes no answer and no error.
describeObjectStorageConformance('s3', async (): Promise<ConformanceSubject> => {
  const { client, bucket, cleanup } = await createTestBucket('conformance');
  await ensureBucket(client, bucket); // a second call on an existing bucket is fine
  return { storage: new InstrumentedObjectStorage(new S3ObjectStorage(client, { bucket })), cleanup };
});

describeObjectStorageConformance("in memory (the use cases' unit tests)", (): Promise<ConformanceSubject> => {
  const storage = new InMemoryObjectStorage();
  return Promise.resolve({
    storage,
    request: (method, url, body, headers) => storage.request(method, url, body, headers),
    cleanup: () => Promise.resolve(),
  });
});
