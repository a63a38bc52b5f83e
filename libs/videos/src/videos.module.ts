/** Postgres access for the API and the worker: TypeORM connection, entities and repositories. */
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { videosDataSourceOptions } from './data-source.js';
import { migrateLocked } from './migrate.js';
import { AccessTokenRepository } from './access-token.repository.js';
import { UploadSessionRepository } from './upload-session.repository.js';
import { WebhookRepository } from './webhook.repository.js';

@Module({})
export class VideosModule {
  static forRoot(options: { url: string; migrate: boolean }): DynamicModule {
    return {
      module: VideosModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => videosDataSourceOptions(options.url, false),
          // Migrations run after the connection, under an advisory lock (see migrate.ts).
          dataSourceFactory: async (dataSourceOptions) => {
            const db = await new DataSource(dataSourceOptions!).initialize();
            if (options.migrate) await migrateLocked(db);
            return db;
          },
        }),
      ],
      providers: [UploadSessionRepository, AccessTokenRepository, WebhookRepository],
      exports: [UploadSessionRepository, AccessTokenRepository, WebhookRepository],
    };
  }
}
