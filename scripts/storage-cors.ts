/**
 * Sets the bucket's CORS rule for browsers (npm run storage:cors): PUT, GET and HEAD from the origins of
 * CORS_ORIGINS, exposing ETag. For a bucket made without S3_CREATE_BUCKET. It replaces the bucket's
 * CORS rules; storage without bucket CORS (Storj's gateway) answers NotImplemented, said as such.
 */
import 'reflect-metadata';
import { loadConfig } from '#config';
import { applyBrowserCors, createS3Client } from '#storage';

const { storage } = loadConfig();
if (storage.driver !== 's3') {
  console.log('STORAGE_DRIVER is disk: browsers PUT to the API itself, whose CORS_ORIGINS apply; nothing to set');
  process.exit(0);
}
const { bucket, browserOrigins } = storage.s3;
// S3_ENDPOINT, the address this machine reaches storage at (not S3_PUBLIC_ENDPOINT).
const client = createS3Client(storage.s3);
try {
  if (!(await applyBrowserCors(client, bucket, browserOrigins))) {
    console.log(`bucket ${bucket}: the storage has no bucket CORS (its own policy serves browsers); nothing to set`);
  } else {
    const origins = browserOrigins === '*' ? 'every origin' : browserOrigins.join(', ');
    console.log(`bucket ${bucket}: browsers of ${origins} may PUT, GET and HEAD, and read ETag`);
  }
} finally {
  client.destroy();
}
