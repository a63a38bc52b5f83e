/** An owner's webhook endpoints and the record of their deliveries; the worker delivers (webhook-delivery queue). */
import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ManageWebhooks } from '#uploads';
import type { AuthUser } from '../auth/auth-user.js';
import { CurrentUser } from '../auth/current-user.decorator.js';
import { NoRateLimit } from '../auth/rate-limits.js';
import { ApiErrors, ApiOkEnvelope } from '../common/api-envelope.decorator.js';
import { ParseUuid } from '../common/uuid-param.js';
import {
  CreatedWebhookDto,
  CreateWebhookDto,
  DeletedWebhookDto,
  toDeliveryDto,
  toWebhookDto,
  WebhookDeliveryDto,
  WebhookDto,
} from './dto/webhook.dto.js';

const ApiWebhookIdParam = () =>
  ApiParam({
    name: 'webhookId',
    description: 'id from POST /api/v1/webhooks.',
    schema: { type: 'string', format: 'uuid' },
  });

@ApiTags('webhooks')
@ApiBearerAuth()
@ApiErrors(
  [401, 'Missing, malformed, expired or wrongly signed token'],
  [500, 'A fault of the server: error.details.errorId is in its log'],
)
@NoRateLimit()
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: ManageWebhooks) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Register an endpoint for your events (upload.completed, video.ready, video.failed, batch.completed), ' +
      'signed in the Standard Webhooks format; the answer holds its secret, shown only now',
  })
  @ApiOkEnvelope(CreatedWebhookDto, { status: 201 })
  @ApiErrors([400, 'A URL that is not http(s), an unknown event type, or too many endpoints'])
  async create(@Body() dto: CreateWebhookDto, @CurrentUser() user: AuthUser): Promise<CreatedWebhookDto> {
    const created = await this.webhooks.create({ ownerId: user.id, ...dto });
    return { ...toWebhookDto(created), secret: created.secret };
  }

  @Get()
  @ApiOperation({ summary: 'Your endpoints, oldest first (without their secrets)' })
  @ApiOkEnvelope(WebhookDto, { isArray: true })
  async list(@CurrentUser() user: AuthUser): Promise<WebhookDto[]> {
    return (await this.webhooks.list(user.id)).map(toWebhookDto);
  }

  @Delete(':webhookId')
  @ApiWebhookIdParam()
  @HttpCode(200)
  @ApiOperation({ summary: 'Remove an endpoint: it receives nothing more, and its delivery records go' })
  @ApiOkEnvelope(DeletedWebhookDto)
  @ApiErrors([400, 'webhookId is not a UUID'], [404, 'Unknown webhook (or someone else’s)'])
  async remove(@Param('webhookId', ParseUuid) id: string, @CurrentUser() user: AuthUser): Promise<DeletedWebhookDto> {
    await this.webhooks.remove(id, user.id);
    return { id, deleted: true };
  }

  @Get(':webhookId/deliveries')
  @ApiWebhookIdParam()
  @ApiOperation({ summary: 'The latest 100 delivery attempts to an endpoint, newest first, with their outcome' })
  @ApiOkEnvelope(WebhookDeliveryDto, { isArray: true })
  @ApiErrors([400, 'webhookId is not a UUID'], [404, 'Unknown webhook (or someone else’s)'])
  async deliveries(
    @Param('webhookId', ParseUuid) id: string,
    @CurrentUser() user: AuthUser,
  ): Promise<WebhookDeliveryDto[]> {
    return (await this.webhooks.deliveries(id, user.id)).map(toDeliveryDto);
  }
}
