/**
 * POST /api/v1/videos/batch/:batchId/events/token: mints the token a page passes to EventSource. The
 * event streams themselves are Fastify routes (events.route.ts).
 */
import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { MintEventsToken } from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { ParseUuid } from '../common/uuid-param.js';
import { EventsTokenDto } from './dto/events-token.dto.js';

@ApiTags('events')
@ApiBearerAuth()
@NoRateLimit()
@Controller('api/v1/videos/batch')
export class BatchEventsController {
  constructor(private readonly mintEventsToken: MintEventsToken) {}

  @Post(':batchId/events/token')
  @HttpCode(201)
  @ApiParam({ name: 'batchId', description: 'batchId from init.', schema: { type: 'string', format: 'uuid' } })
  @ApiOperation({
    summary: "A short-lived token for the batch's event streams, for EventSource (which cannot send headers)",
  })
  @ApiOkEnvelope(EventsTokenDto, { status: 201, description: 'The token, for this batch only' })
  @ApiErrors(
    [400, 'batchId is not a UUID'],
    [401, 'Missing, malformed, expired or wrongly signed token'],
    [404, 'Unknown batch (or someone else’s)'],
    [500, 'A fault of the server: error.details.errorId is in its log'],
  )
  async mint(@Param('batchId', ParseUuid) batchId: string, @CurrentUser() user: AuthUser): Promise<EventsTokenDto> {
    const { token, expiresAt } = await this.mintEventsToken.execute({ uploader: user, batchId });
    return { token, expiresAt: expiresAt.toISOString() };
  }
}
