/** Postgres access for the API and the worker: TypeORM connection, entities and repositories. */
import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { videosDataSourceOptions } from './data-source.js';
import { UploadSessionRepository } from './upload-session.repository.js';

@Module({})
export class VideosModule {
  static forRoot(options: { url: string; migrate: boolean }): DynamicModule {
    return {
      module: VideosModule,
      global: true,
      imports: [TypeOrmModule.forRoot(videosDataSourceOptions(options.url, options.migrate))],
      providers: [UploadSessionRepository],
      exports: [UploadSessionRepository],
    };
  }
}
