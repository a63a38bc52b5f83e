import { Module } from '@nestjs/common';
import { BatchController } from './batch.controller.js';

/** The batch upload routes; their use cases come from UploadsModule (libs/uploads). */
@Module({
  controllers: [BatchController],
})
export class VideosBatchModule {}
