/** Connection options shared by the API, the worker and the migration script. */
import type { DataSourceOptions } from 'typeorm';
import { AccessToken } from './entities/access-token.entity.js';
import { UploadBatch } from './entities/upload-batch.entity.js';
import { UploadSession } from './entities/upload-session.entity.js';
import { Video } from './entities/video.entity.js';
import { WebhookDelivery } from './entities/webhook-delivery.entity.js';
import { WebhookEndpoint } from './entities/webhook-endpoint.entity.js';
import { InitialSchema1764100000000 } from './migrations/1764100000000-initial-schema.js';
import { VideoMetadata1764200000000 } from './migrations/1764200000000-video-metadata.js';
import { Ownership1764300000000 } from './migrations/1764300000000-ownership.js';
import { OneUploadPath1764400000000 } from './migrations/1764400000000-one-upload-path.js';
import { ReconciliationIndexes1764500000000 } from './migrations/1764500000000-reconciliation-indexes.js';
import { ClientSizedUploads1764600000000 } from './migrations/1764600000000-client-sized-uploads.js';
import { TusUploads1764700000000 } from './migrations/1764700000000-tus-uploads.js';
import { BatchFiles1764800000000 } from './migrations/1764800000000-batch-files.js';
import { WebhooksAndEventTokens1764900000000 } from './migrations/1764900000000-webhooks-and-event-tokens.js';

export const ENTITIES = [UploadBatch, UploadSession, Video, AccessToken, WebhookEndpoint, WebhookDelivery];
export const MIGRATIONS = [
  InitialSchema1764100000000,
  VideoMetadata1764200000000,
  Ownership1764300000000,
  OneUploadPath1764400000000,
  ReconciliationIndexes1764500000000,
  ClientSizedUploads1764600000000,
  TusUploads1764700000000,
  BatchFiles1764800000000,
  WebhooksAndEventTokens1764900000000,
];

/** Schema changes only ever come from migrations: `synchronize` stays off. */
export function videosDataSourceOptions(url: string, migrationsRun: boolean): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    extra: { max: 10 },
  };
}
