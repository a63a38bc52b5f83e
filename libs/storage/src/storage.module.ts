/**
 * Provides ObjectStorage (the token) for the API and the worker, built from the validated storage
 * config: the disk driver, or the S3 driver over its own S3Clients, which are closed at shutdown.
 * The config shape is declared here; #config builds its storage settings to fit it.
 */
import { type DynamicModule, Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { S3Client } from '@aws-sdk/client-s3';
import { DISK_STORAGE_PATH, DiskObjectStorage } from './disk.object-storage.js';
import { InstrumentedObjectStorage } from './instrumented.object-storage.js';
import { ObjectStorage } from './object-storage.js';
import { applyBrowserCors, type BrowserOrigins, missingBrowserCors } from './bucket-cors.js';
import { createS3Client, ensureBucket } from './s3-client.js';
import { S3ObjectStorage } from './s3.object-storage.js';

export type StorageConfig =
  | { driver: 'disk'; disk: { root: string; signingSecret: string } }
  | {
      driver: 's3';
      s3: {
        bucket: string;
        endpoint?: string;
        /** Endpoint browsers reach, when it differs from `endpoint`: presigned URLs are signed for it. */
        publicEndpoint?: string;
        region: string;
        accessKeyId: string;
        secretAccessKey: string;
        forcePathStyle: boolean;
        /** Create the bucket at start-up when missing, with the browser CORS rule (development and tests). */
        createBucket: boolean;
        /** Origins of the frontends whose browsers PUT to the presigned URLs (the bucket's CORS rule). */
        browserOrigins: BrowserOrigins;
      };
    };

export interface StorageModuleOptions {
  /** The API's public URL: the disk driver's signed URLs point at DISK_STORAGE_PATH below it. */
  publicUrl: string;
  /** Read the bucket's CORS at start and log a warning naming what browsers would miss (the API does). */
  checkBrowserCors?: boolean;
}

export const STORAGE_S3_CLIENTS = Symbol('STORAGE_S3_CLIENTS');

@Injectable()
class S3ClientCloser implements OnApplicationShutdown {
  constructor(@Inject(STORAGE_S3_CLIENTS) private readonly clients: S3Client[]) {}
  onApplicationShutdown(): void {
    for (const client of new Set(this.clients)) client.destroy();
  }
}

@Module({})
export class StorageModule {
  static forRoot(config: StorageConfig, options: StorageModuleOptions): DynamicModule {
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: STORAGE_S3_CLIENTS, useFactory: () => s3Clients(config) },
        {
          provide: ObjectStorage,
          // Every call measured (reelay_storage_* metrics), whoever makes it.
          useFactory: async (clients: S3Client[]) =>
            new InstrumentedObjectStorage(await createStorage(config, options, clients)),
          inject: [STORAGE_S3_CLIENTS],
        },
        S3ClientCloser,
      ],
      exports: [ObjectStorage],
    };
  }
}

/** [internal client, presign client]; the same client twice when there is no separate public endpoint. */
function s3Clients(config: StorageConfig): S3Client[] {
  if (config.driver !== 's3') return [];
  const { endpoint, publicEndpoint, ...settings } = config.s3;
  // The SDK's warnings go to the app's log (JSON lines in production), not to the console.
  const sdk = new Logger('S3');
  const connection = { ...settings, logger: { warn: (...content: unknown[]) => sdk.warn(content.join(' ')) } };
  const client = createS3Client({ ...connection, endpoint });
  return [client, publicEndpoint ? createS3Client({ ...connection, endpoint: publicEndpoint }) : client];
}

async function createStorage(
  config: StorageConfig,
  options: StorageModuleOptions,
  clients: S3Client[],
): Promise<ObjectStorage> {
  if (config.driver === 'disk') {
    const signedUrlBase = options.publicUrl + DISK_STORAGE_PATH;
    const disk = new DiskObjectStorage({
      root: config.disk.root,
      signingSecret: config.disk.signingSecret,
      signedUrlBase,
    });
    await disk.start();
    return disk;
  }
  const [client, presignClient] = clients;
  const { bucket, browserOrigins } = config.s3;
  if (config.s3.createBucket) {
    await ensureBucket(client, bucket);
    await applyBrowserCors(client, bucket, browserOrigins);
  }
  if (options.checkBrowserCors) await warnOfMissingCors(client, bucket, browserOrigins);
  return new S3ObjectStorage(client, { bucket }, presignClient);
}

/** Browsers fail on a bucket without the CORS rule with nothing but a CORS error: say so at start. */
async function warnOfMissingCors(client: S3Client, bucket: string, origins: BrowserOrigins): Promise<void> {
  const logger = new Logger('Storage');
  try {
    const missing = await missingBrowserCors(client, bucket, origins);
    if (missing === null)
      logger.log(`bucket ${bucket}: the storage has no bucket CORS; its own policy serves browsers`);
    else if (missing.length > 0) {
      logger.warn(
        `bucket ${bucket}: ${missing.join('; ')}. Run \`npm run storage:cors\` (README, "Browsers and CORS")`,
      );
    }
  } catch (error) {
    logger.warn(`bucket ${bucket}: could not read its CORS rules: ${(error as Error).message}`);
  }
}
