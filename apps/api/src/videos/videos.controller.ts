/** Videos after upload: status, metadata and thumbnail, for a frontend to poll until processing is done. */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { VideoDetailsDto } from './dto/video-details.dto.js';
import { VideoIdParamsDto } from './dto/video-id-params.dto.js';
import { VideosService } from './videos.service.js';

@ApiTags('videos')
@Controller('api/v1/videos')
export class VideosController {
  constructor(private readonly videos: VideosService) {}

  @Get(':videoId')
  @ApiOperation({ summary: 'A video: processing status (uploaded, processing, ready, failed), metadata and a short-lived thumbnail URL' })
  @ApiOkEnvelope(VideoDetailsDto)
  @ApiErrors([400, 'videoId is not a UUID'], [404, 'Unknown videoId'])
  get(@Param() params: VideoIdParamsDto): Promise<VideoDetailsDto> {
    return this.videos.get(params.videoId);
  }
}
