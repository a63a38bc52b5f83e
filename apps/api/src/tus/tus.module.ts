import { Module } from '@nestjs/common';
import { TusController } from './tus.controller.js';

/** The tus routes; their use cases come from UploadsModule (libs/uploads). */
@Module({
  controllers: [TusController],
})
export class TusModule {}
