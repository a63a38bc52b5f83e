/** Videos after upload: status, metadata and thumbnail, for a frontend to poll until processing is done. */
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { ApiVideoIdParam, ParseUuid } from '../common/uuid-param.js';
import { VideoDetailsDto } from './dto/video-details.dto.js';
import { VideosService } from './videos.service.js';

@ApiTags('videos')
@ApiBearerAuth()
@NoRateLimit()
@Controller('api/v1/videos')
export class VideosController {
  constructor(private readonly videos: VideosService) {}

  @Get(':videoId')
  @ApiVideoIdParam()
  @ApiOperation({
    summary:
      'A video: processing status (uploaded, processing, ready, failed), metadata and a short-lived thumbnail URL',
  })
  @ApiOkEnvelope(VideoDetailsDto)
  @ApiErrors(
    [400, 'videoId is not a UUID'],
    [401, 'Missing, malformed, expired or wrongly signed token'],
    [404, 'Unknown videoId'],
    [500, 'A fault of the server: error.details.errorId is in its log'],
  )
  get(@Param('videoId', ParseUuid) videoId: string, @CurrentUser() user: AuthUser): Promise<VideoDetailsDto> {
    return this.videos.get(videoId, user.id);
  }
}
