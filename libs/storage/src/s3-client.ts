/**
 * Building an S3Client for Storj / radosgw / AWS from typed options, and creating a bucket for dev and
 * tests. The application builds its client here (from its validated config) and injects it into
 * S3ObjectStorage; nothing in this library reads the environment.
 */
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { errorName, isNotFound, toStorageError } from './s3-errors.js';

export interface S3ConnectionOptions {
  /** Service URL, e.g. `https://gateway.storjshare.io` or `http://127.0.0.1:7480`; omit for AWS itself. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bucket in the path instead of the host name: needed for radosgw on loopback, fine for Storj. */
  forcePathStyle: boolean;
  /** Milliseconds to open a connection before the call fails as Unavailable (default 5,000). */
  connectionTimeoutMs?: number;
  /** Milliseconds a socket may stay silent in the middle of a call before it fails (default 120,000). */
  socketTimeoutMs?: number;
  /** Concurrent connections per client (default 64: part uploads run in parallel). */
  maxSockets?: number;
  /** Where the SDK's warnings go (default: console). */
  logger?: Pick<Console, 'warn'>;
}

/**
 * Given a logger, the SDK logs every call (info) and every failed call (error); every failure is
 * already thrown to the caller, mapped to a StorageError, so only warnings pass. Without a logger it
 * would print a warning on each failed streaming upload: that one is a thrown failure too.
 */
function sdkLogger(target: Pick<Console, 'warn'>) {
  const ignore = () => undefined;
  return {
    trace: ignore,
    debug: ignore,
    info: ignore,
    warn: (...content: unknown[]) => {
      if (!String(content[0]).includes('non-retryable streaming request')) target.warn(...content);
    },
    error: ignore,
  };
}

export function createS3Client(options: S3ConnectionOptions): S3Client {
  return new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
    forcePathStyle: options.forcePathStyle,
    logger: sdkLogger(options.logger ?? console),
    // The SDK (3.729+) adds CRC32 checksums to every PUT and presigned URL by default; Storj's gateway
    // may reject or mishandle them, and a checksum in a presigned URL would bind it to one body.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Resolve each command's middleware stack once, not on every call (nothing here changes a stack):
    // about 0.1-0.3 ms of CPU per call, five calls per init of five large files.
    cacheMiddleware: true,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      socketTimeout: options.socketTimeoutMs ?? 120_000,
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? 64 },
    },
  });
}

/** Creates `bucket` unless it exists already; safe to call at every start and from parallel tests. */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!isNotFound(error)) throw toStorageError(error, 'object', `HeadBucket ${bucket}`);
  }
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    // Lost a race with another caller creating the same bucket: the bucket is there, which is the point.
    if (errorName(error) === 'BucketAlreadyOwnedByYou') return;
    throw toStorageError(error, 'object', `CreateBucket ${bucket}`);
  }
}

/**
 * Aborts every multipart upload and deletes every object of `bucket` (development, tests, benchmarks:
 * radosgw's in-memory store keeps whatever is left behind).
 */
export async function emptyBucket(client: S3Client, bucket: string): Promise<void> {
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const out = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
    );
    await Promise.all(
      (out.Uploads ?? []).map((u) =>
        client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! })),
      ),
    );
    keyMarker = out.IsTruncated ? out.NextKeyMarker : undefined;
    uploadIdMarker = out.IsTruncated ? out.NextUploadIdMarker : undefined;
  } while (keyMarker);
  let token: string | undefined;
  do {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    await Promise.all(
      (out.Contents ?? []).map((o) => client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key! }))),
    );
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
}
