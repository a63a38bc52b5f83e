import { Module } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { VIDEO_PROCESSING_QUEUE } from '#videos';
import { BatchController } from './batch.controller.js';
import { BatchService } from './batch.service.js';
import { ChunkService } from './chunk.service.js';
import { CompleteService } from './complete.service.js';
import { UploadProgressService } from './upload-progress.service.js';
import { UploadSessionsService } from './upload-sessions.service.js';

@Module({
  imports: [BullModule.registerQueue({ name: VIDEO_PROCESSING_QUEUE })],
  controllers: [BatchController],
  providers: [BatchService, ChunkService, CompleteService, UploadProgressService, UploadSessionsService],
})
export class VideosBatchModule {}
