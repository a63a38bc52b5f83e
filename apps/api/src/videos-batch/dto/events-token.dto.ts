import { ApiProperty } from '@nestjs/swagger';

/** A token for a batch's event streams, for clients that cannot send headers (EventSource). */
export class EventsTokenDto {
  @ApiProperty({
    description:
      'Pass it as `?token=` to GET /api/v1/videos/batch/{batchId}/events or /batch/events/{uploadId} (an upload of this batch); good for these streams only. A stream opened with it stays open past expiresAt; a reconnection after that needs a fresh token.',
    example: 'Zr2N8x0rJ3m4x0mY3xQm0b8p9kS1w2e3r4t5y6u7i8o',
  })
  token: string;

  @ApiProperty({ description: 'When the token stops opening streams (EVENTS_TOKEN_TTL_SECONDS from now).' })
  expiresAt: string;
}
