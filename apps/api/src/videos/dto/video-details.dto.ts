import { ApiProperty } from '@nestjs/swagger';
import { VideoDto } from './video.dto.js';

/** A video with its processing state: what a frontend polls until it is ready (or failed). */
export class VideoDetailsDto extends VideoDto {
  @ApiProperty({
    description: 'Why processing failed, for a person; null unless failed.',
    type: String,
    nullable: true,
    example: null,
  })
  failureReason: string | null;

  @ApiProperty({ description: 'Seconds; null until ready.', type: Number, nullable: true, example: 42.5 })
  durationSeconds: number | null;

  @ApiProperty({
    description: 'Upright picture width in pixels; null until ready.',
    type: Number,
    nullable: true,
    example: 1920,
  })
  width: number | null;

  @ApiProperty({
    description: 'Upright picture height in pixels; null until ready.',
    type: Number,
    nullable: true,
    example: 1080,
  })
  height: number | null;

  @ApiProperty({
    description: 'Video codec (ffmpeg name); null until ready.',
    type: String,
    nullable: true,
    example: 'h264',
  })
  videoCodec: string | null;

  @ApiProperty({
    description: 'Audio codec (ffmpeg name); null when silent or not ready.',
    type: String,
    nullable: true,
    example: 'aac',
  })
  audioCodec: string | null;

  @ApiProperty({
    description: 'Bits per second over the whole file; null until ready.',
    type: Number,
    nullable: true,
    example: 8_000_000,
  })
  bitrate: number | null;

  @ApiProperty({
    description: 'Container: mp4, mov, matroska, avi, ...; null until ready.',
    type: String,
    nullable: true,
    example: 'mp4',
  })
  container: string | null;

  @ApiProperty({
    description: 'Hex SHA-256 of the file; null until ready.',
    type: String,
    nullable: true,
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  })
  sha256: string | null;

  @ApiProperty({
    description: 'Short-lived URL of the JPEG thumbnail (at most 640 px wide); null until ready.',
    type: String,
    nullable: true,
    example:
      'https://gateway.storjshare.io/reelay/videos/444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b/thumbnail.jpg?X-Amz-Signature=...',
  })
  thumbnailUrl: string | null;

  @ApiProperty({
    description: 'When thumbnailUrl stops working; ask again for a fresh one.',
    type: String,
    nullable: true,
    example: '2026-11-25T20:15:00.000Z',
  })
  thumbnailUrlExpiresAt: string | null;

  @ApiProperty({
    description: 'When processing first started.',
    type: String,
    nullable: true,
    example: '2026-11-25T20:00:01.000Z',
  })
  processingStartedAt: string | null;

  @ApiProperty({
    description: 'When the video became ready or failed.',
    type: String,
    nullable: true,
    example: '2026-11-25T20:00:09.000Z',
  })
  processedAt: string | null;
}
