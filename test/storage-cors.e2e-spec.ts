/**
 * The bucket's CORS rule for browsers on the s3 driver: the API sets it on a bucket it creates, warns
 * at start when an existing bucket lacks it, and `npm run storage:cors` sets it on an existing bucket.
 */
import { execFileSync } from 'node:child_process';
import { createS3Client, missingBrowserCors } from '#storage';
import { startStack, type Stack } from './support/stack.js';

const ORIGIN = 'https://app.example.com';

function bucketClient(stack: Stack) {
  return createS3Client({
    endpoint: stack.env.S3_ENDPOINT,
    region: stack.env.S3_REGION,
    accessKeyId: stack.env.S3_ACCESS_KEY_ID,
    secretAccessKey: stack.env.S3_SECRET_ACCESS_KEY,
    forcePathStyle: true,
  });
}

describe('bucket CORS for browsers, set by the API with S3_CREATE_BUCKET', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 's3', env: { CORS_ORIGINS: ORIGIN } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('lets browsers of CORS_ORIGINS PUT, GET and HEAD, and read ETag', async () => {
    const client = bucketClient(stack);
    try {
      expect(await missingBrowserCors(client, stack.env.S3_BUCKET, [ORIGIN])).toEqual([]);
    } finally {
      client.destroy();
    }
    expect(stack.logs()).not.toMatch(/CORS/);
  });
});

describe('an existing bucket without the CORS rule', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ driver: 's3', env: { CORS_ORIGINS: ORIGIN, S3_CREATE_BUCKET: 'false' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('makes the API warn at start, naming what is missing, and npm run storage:cors sets it', async () => {
    expect(stack.logs()).toMatch(new RegExp(`bucket ${stack.env.S3_BUCKET}: it has no CORS rule`));
    expect(stack.logs()).toMatch(/npm run storage:cors/);
    const out = execFileSync(process.execPath, ['dist/scripts/storage-cors.js'], {
      env: { ...process.env, ...stack.env },
      encoding: 'utf8',
    });
    expect(out).toContain(`bucket ${stack.env.S3_BUCKET}: browsers of ${ORIGIN} may PUT, GET and HEAD, and read ETag`);
    const client = bucketClient(stack);
    try {
      expect(await missingBrowserCors(client, stack.env.S3_BUCKET, [ORIGIN])).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});
