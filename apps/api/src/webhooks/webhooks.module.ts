import { Module } from '@nestjs/common';
import { WebhooksController } from './webhooks.controller.js';

/** The webhook endpoints' routes; their use cases come from UploadsModule (libs/uploads). */
@Module({
  controllers: [WebhooksController],
})
export class WebhooksApiModule {}
