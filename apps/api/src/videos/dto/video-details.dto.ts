import { ApiProperty } from '@nestjs/swagger';
import type { VideoStatus } from '#videos';

export const VIDEO_STATUSES: VideoStatus[] = ['uploaded', 'processing', 'ready', 'failed'];

/** A video with its processing state: what a frontend polls until it is ready (or failed). */
export class VideoDetailsDto {
  @ApiProperty({ description: 'Id of the video (the fileId announced at init).', format: 'uuid', example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b' })
  videoId: string;

  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ example: '123' })
  channelId: string;

  @ApiProperty({ example: 'myVideo2.mp4' })
  filename: string;

  @ApiProperty({ description: 'Bytes.', example: 524288001 })
  size: number;

  @ApiProperty({ description: 'MIME type declared at init.', example: 'video/mp4' })
  contentType: string;

  @ApiProperty({ description: 'uploaded -> processing -> ready or failed.', enum: VIDEO_STATUSES, example: 'ready' })
  status: VideoStatus;

  @ApiProperty({ description: 'Why processing failed, for a person; null unless failed.', type: String, nullable: true, example: null })
  failureReason: string | null;

  @ApiProperty({ description: 'Seconds; null until ready.', type: Number, nullable: true, example: 42.5 })
  durationSeconds: number | null;

  @ApiProperty({ description: 'Upright picture width in pixels; null until ready.', type: Number, nullable: true, example: 1920 })
  width: number | null;

  @ApiProperty({ description: 'Upright picture height in pixels; null until ready.', type: Number, nullable: true, example: 1080 })
  height: number | null;

  @ApiProperty({ description: 'Video codec (ffmpeg name); null until ready.', type: String, nullable: true, example: 'h264' })
  videoCodec: string | null;

  @ApiProperty({ description: 'Audio codec (ffmpeg name); null when silent or not ready.', type: String, nullable: true, example: 'aac' })
  audioCodec: string | null;

  @ApiProperty({ description: 'Bits per second over the whole file; null until ready.', type: Number, nullable: true, example: 8_000_000 })
  bitrate: number | null;

  @ApiProperty({ description: 'Container: mp4, mov, matroska, avi, ...; null until ready.', type: String, nullable: true, example: 'mp4' })
  container: string | null;

  @ApiProperty({ description: 'Hex SHA-256 of the file; null until ready.', type: String, nullable: true, example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' })
  sha256: string | null;

  @ApiProperty({ description: 'Short-lived URL of the JPEG thumbnail (at most 640 px wide); null until ready.', type: String, nullable: true, example: 'https://gateway.storjshare.io/reelay/videos/444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b/thumbnail.jpg?X-Amz-Signature=...' })
  thumbnailUrl: string | null;

  @ApiProperty({ description: 'When thumbnailUrl stops working; ask again for a fresh one.', type: String, nullable: true, example: '2026-11-25T20:15:00.000Z' })
  thumbnailUrlExpiresAt: string | null;

  @ApiProperty({ example: '2026-11-25T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ description: 'When processing first started.', type: String, nullable: true, example: '2026-11-25T20:00:01.000Z' })
  processingStartedAt: string | null;

  @ApiProperty({ description: 'When the video became ready or failed.', type: String, nullable: true, example: '2026-11-25T20:00:09.000Z' })
  processedAt: string | null;
}
