import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '#uploads';
import type { WebhookDelivery, WebhookEndpoint } from '#videos';

/** The body of POST /api/v1/webhooks. */
export class CreateWebhookDto {
  @ApiProperty({
    description: 'Where events are POSTed: an http or https URL.',
    example: 'https://example.com/hooks/reelay',
  })
  @IsUrl(
    { protocols: ['http', 'https'], require_protocol: true, require_tld: false },
    { message: 'url must be an http or https URL' },
  )
  @MaxLength(2048)
  url: string;

  @ApiPropertyOptional({
    description: 'The event types to receive; all of them when absent.',
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['video.ready', 'video.failed'],
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  @ApiPropertyOptional({ description: 'A note for you, e.g. which system it feeds.', example: 'CMS ingest' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string;
}

export class WebhookDto {
  @ApiProperty({ format: 'uuid', example: '0b7a4b8e-5e1f-4c61-9b8e-2a4f3c1d2e5f' })
  id: string;

  @ApiProperty({ example: 'https://example.com/hooks/reelay' })
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['upload.completed', 'video.ready'] })
  events: string[];

  @ApiProperty({ type: String, nullable: true, example: 'CMS ingest' })
  description: string | null;

  @ApiProperty({ example: '2026-11-29T22:00:00.000Z' })
  createdAt: string;
}

/** The answer of POST /api/v1/webhooks: the only time the secret is shown. */
export class CreatedWebhookDto extends WebhookDto {
  @ApiProperty({
    description:
      'Verify each delivery with it (Standard Webhooks: e.g. `new Webhook(secret).verify(body, headers)` of the ' +
      '`standardwebhooks` package). Shown only now: keep it.',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret: string;
}

export class DeletedWebhookDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: true })
  deleted: true;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    description: 'The webhook-id header: the same on every attempt of one event.',
    example: 'msg_video_ready_444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b',
  })
  messageId: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, example: 'video.ready' })
  eventType: string;

  @ApiProperty({ description: '1 for the first attempt.', example: 1 })
  attempt: number;

  @ApiProperty({
    description: "The endpoint's HTTP status; null when it did not answer.",
    type: Number,
    nullable: true,
    example: 200,
  })
  statusCode: number | null;

  @ApiProperty({
    description: 'Why the attempt failed; null when it succeeded.',
    type: String,
    nullable: true,
    example: null,
  })
  error: string | null;

  @ApiProperty({ example: true })
  succeeded: boolean;

  @ApiProperty({ description: 'Milliseconds the attempt took.', example: 42 })
  durationMs: number;

  @ApiProperty({ example: '2026-11-29T22:00:01.000Z' })
  attemptedAt: string;
}

export function toWebhookDto(e: WebhookEndpoint): WebhookDto {
  return { id: e.id, url: e.url, events: e.events, description: e.description, createdAt: e.createdAt.toISOString() };
}

export function toDeliveryDto(d: WebhookDelivery): WebhookDeliveryDto {
  return { ...d, attemptedAt: d.attemptedAt.toISOString() };
}
