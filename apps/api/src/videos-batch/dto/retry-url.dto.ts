import { ApiProperty } from '@nestjs/swagger';
import type { RetryUrl } from '#uploads';

export class RetryUrlDto {
  @ApiProperty({ description: 'Index of the failed chunk.', example: 2 })
  chunkIndex: number;

  @ApiProperty({
    description: 'Fresh presigned PUT URL for that chunk.',
    example: 'https://gateway.storjshare.io/videos/9b1c...?partNumber=3&uploadId=...&X-Amz-Signature=...',
  })
  url: string;

  @ApiProperty({ description: 'When this URL stops working (ISO 8601).', example: '2026-11-25T21:00:00.000Z' })
  expiresAt: string;
}

export function toRetryUrlDto(r: RetryUrl): RetryUrlDto {
  return { chunkIndex: r.chunkIndex, url: r.url, expiresAt: r.expiresAt.toISOString() };
}
