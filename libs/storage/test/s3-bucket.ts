/**
 * A fresh bucket on the S3 server the jest global set-up started (scripts/s3-server.sh exports
 * S3_ENDPOINT and the keys), emptied and deleted again after the tests.
 */
import { randomUUID } from 'node:crypto';
import { DeleteBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, emptyBucket, ensureBucket, type S3ConnectionOptions } from '../src/index.js';

export interface TestBucket {
  client: S3Client;
  bucket: string;
  connection: S3ConnectionOptions;
  cleanup: () => Promise<void>;
}

export function connectionFromEnv(): S3ConnectionOptions {
  const { S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_REGION } = process.env;
  if (!S3_ENDPOINT || !S3_ACCESS_KEY_ID || !S3_SECRET_ACCESS_KEY) {
    throw new Error(
      'S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set (the jest global set-up runs scripts/s3-server.sh up)',
    );
  }
  return {
    endpoint: S3_ENDPOINT,
    region: S3_REGION ?? 'us-east-1',
    accessKeyId: S3_ACCESS_KEY_ID,
    secretAccessKey: S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  };
}

export async function createTestBucket(label: string): Promise<TestBucket> {
  const connection = connectionFromEnv();
  const client = createS3Client(connection);
  const bucket = `reelay-${label}-${randomUUID()}`.slice(0, 63);
  await ensureBucket(client, bucket);
  return {
    client,
    bucket,
    connection,
    cleanup: async () => {
      await emptyAndDeleteBucket(client, bucket);
      client.destroy();
    },
  };
}

/** radosgw's memstore keeps everything in RAM: give back what the tests stored. */
async function emptyAndDeleteBucket(client: S3Client, bucket: string): Promise<void> {
  await emptyBucket(client, bucket);
  await client.send(new DeleteBucketCommand({ Bucket: bucket }));
}
