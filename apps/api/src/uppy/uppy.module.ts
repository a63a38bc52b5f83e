import { Module } from '@nestjs/common';
import { UppyEndpointController } from './uppy-endpoint.controller.js';
import { UppyFormController } from './uppy-form.controller.js';
import { UppyController } from './uppy.controller.js';

/** The routes Uppy's S3 plugin calls on a Companion server; their use cases come from UploadsModule. */
@Module({ controllers: [UppyEndpointController, UppyController, UppyFormController] })
export class UppyModule {}
