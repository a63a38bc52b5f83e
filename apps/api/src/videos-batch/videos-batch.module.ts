import { Module } from '@nestjs/common';
import { BatchEventsController } from './batch-events.controller.js';
import { BatchController } from './batch.controller.js';

/** The batch upload routes; their use cases come from UploadsModule (libs/uploads). */
@Module({
  controllers: [BatchController, BatchEventsController],
})
export class VideosBatchModule {}
