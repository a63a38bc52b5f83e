import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { UPLOAD_STATUSES, type UploadStatus } from '#progress';
import { VIDEO_STATUSES, type VideoStatus } from '#videos';

export class ProgressDto {
  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ example: 'myVideo2.mp4' })
  filename: string;

  @ApiProperty({
    description: "Whole percent of the file's bytes stored, 0-100 (100 only when every chunk is stored).",
    minimum: 0,
    maximum: 100,
    example: 45,
  })
  progress: number;

  @ApiProperty({ enum: UPLOAD_STATUSES, example: 'uploading' })
  status: UploadStatus;

  @ApiProperty({
    description: 'Chunk indices to send again (through /retry URLs or the chunk route).',
    type: [Number],
    example: [2, 7],
  })
  failedChunks: number[];

  @ApiProperty({
    description:
      "Chunks of the upload; 0 while an upload whose client sizes its parts (Uppy's S3 plugin) is open: only the " +
      'client knows its size, and progress stays 0 until completion (bytesStored counts what arrived).',
    example: 10,
  })
  totalChunks: number;

  @ApiProperty({ description: 'Chunks stored so far.', example: 3 })
  completedCount: number;

  @ApiProperty({ description: 'Bytes stored so far.', example: 201326592 })
  bytesStored: number;

  @ApiProperty({
    description:
      'The chunks stored, as ascending runs of 0-based indices, "first-last" or one index, joined by commas ("" ' +
      'for none; a run stays one entry however long, so 10,000 stored chunks are "0-9999"). A page that reloads ' +
      'sends only the chunks outside these runs.',
    pattern: '^(\\d+(-\\d+)?(,\\d+(-\\d+)?)*)?$',
    example: '0-3,5,7-9',
  })
  storedChunks: string;

  @ApiPropertyOptional({
    description: 'Id of the video, once the upload is completed.',
    format: 'uuid',
    example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b',
  })
  videoId?: string;

  @ApiPropertyOptional({
    description:
      "Once the upload is completed: the video's processing status, uploaded -> processing -> ready or failed.",
    enum: VIDEO_STATUSES,
    example: 'processing',
  })
  videoStatus?: VideoStatus;

  @ApiPropertyOptional({
    description:
      'Why processing failed, when videoStatus is failed. A declared sha256 that the stored file does not match ' +
      'gives "CHECKSUM_MISMATCH: the upload declared sha256 <declared>, the stored file hashes to <actual>".',
    example: 'the file is not a video: no known video container was found in it',
  })
  failureReason?: string;
}
