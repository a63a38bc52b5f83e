import { ApiProperty } from '@nestjs/swagger';
import { type Video, VIDEO_STATUSES, type VideoStatus } from '#videos';

/** A video as complete answers it; GET /videos/:id adds its processing results (VideoDetailsDto). */

export class VideoDto {
  @ApiProperty({
    description: 'Id of the video (the fileId announced at init).',
    format: 'uuid',
    example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b',
  })
  videoId: string;

  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ example: '123' })
  channelId: string;

  @ApiProperty({ example: 'myVideo2.mp4' })
  filename: string;

  @ApiProperty({ example: 524288001 })
  size: number;

  @ApiProperty({ example: 'video/mp4' })
  contentType: string;

  @ApiProperty({ description: 'uploaded -> processing -> ready or failed.', enum: VIDEO_STATUSES, example: 'uploaded' })
  status: VideoStatus;

  @ApiProperty({ example: '2026-11-25T20:00:00.000Z' })
  createdAt: string;
}

export function toVideoDto(v: Video): VideoDto {
  return {
    videoId: v.id,
    uploadId: v.uploadId,
    channelId: v.channelId,
    filename: v.filename,
    size: v.size,
    contentType: v.contentType,
    status: v.status,
    createdAt: v.createdAt.toISOString(),
  };
}
