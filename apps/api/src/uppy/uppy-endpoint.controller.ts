/** POST /api/v1/uppy/endpoints: mints the Companion endpoint a page gives Uppy's S3 plugin. */
import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, type AppConfig } from '#config';
import { AccessTokens, noChannels } from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { UppyEndpointDto } from './dto/uppy.dto.js';

@ApiTags('uppy')
@ApiBearerAuth()
@NoRateLimit()
@Controller('api/v1/uppy')
export class UppyEndpointController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tokens: AccessTokens,
  ) {}

  @Post('endpoints')
  @HttpCode(201)
  @ApiOperation({
    summary:
      "A Companion endpoint for Uppy's S3 plugin (@uppy/aws-s3 `companionEndpoint`), valid for one session lifetime",
    description:
      'Uppy calls its Companion endpoint without headers, so the endpoint carries a token that stands for the caller, ' +
      'with the channels their token allows now, until expiresAt (UPLOAD_SESSION_TTL_SECONDS).',
  })
  @ApiOkEnvelope(UppyEndpointDto, { status: 201, description: 'The endpoint to configure' })
  @ApiErrors(
    [400, 'Malformed JSON (the route takes no body)'],
    [401, 'Missing, malformed, expired or wrongly signed token'],
    [403, 'The token allows no channel (CHANNEL_FORBIDDEN)'],
    [500, 'A fault of the server: error.details.errorId is in its log'],
  )
  async mint(@CurrentUser() user: AuthUser): Promise<UppyEndpointDto> {
    if (user.channels.length === 0) throw noChannels();
    const { token, expiresAt } = await this.tokens.mint(user, 'uppy', this.config.upload.sessionTtlSeconds);
    return {
      companionEndpoint: `${this.config.http.publicUrl}/api/v1/uppy/${token}`,
      expiresAt: expiresAt.toISOString(),
    };
  }
}
