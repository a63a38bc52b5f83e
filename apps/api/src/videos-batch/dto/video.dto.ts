import { ApiProperty } from '@nestjs/swagger';

export class VideoDto {
  @ApiProperty({ description: 'Id of the video (the fileId announced at init).', format: 'uuid', example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b' })
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

  @ApiProperty({ description: 'Processing status: uploaded, processing, ready or failed.', example: 'uploaded' })
  status: string;

  @ApiProperty({ example: '2026-11-25T20:00:00.000Z' })
  createdAt: string;
}
