import { Module } from '@nestjs/common';
import { UppyEndpointController } from './uppy-endpoint.controller.js';
import { UppyController } from './uppy.controller.js';
import { UppyTokenGuard } from './uppy-token.guard.js';

/** The routes Uppy's S3 plugin calls on a Companion server; their use cases come from UploadsModule. */
@Module({
  controllers: [UppyEndpointController, UppyController],
  providers: [UppyTokenGuard],
})
export class UppyModule {}
