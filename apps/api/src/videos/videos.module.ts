import { Module } from '@nestjs/common';
import { VideosController } from './videos.controller.js';
import { VideosService } from './videos.service.js';

/** GET /api/v1/videos/:videoId. Storage and the repository come from the global library modules. */
@Module({
  controllers: [VideosController],
  providers: [VideosService],
})
export class VideosApiModule {}
