import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { BatchCompletion, BatchFileCompletion } from '#uploads';
import { ErrorBodyDto } from '../../common/api-envelope.decorator.js';
import { toVideoDto, VideoDto } from '../../videos/dto/video.dto.js';

const OUTCOMES = ['completed', 'missing_chunks', 'failed'] as const;

export class BatchFileCompletionDto {
  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ example: 'myVideo2.mp4' })
  filename: string;

  @ApiProperty({
    description:
      '`completed`: the file has its video (`video`); `missing_chunks`: some chunks are not stored (`missingChunks`; ' +
      'they are marked failed, so /retry covers them); `failed`: the file cannot be completed (`error`, as ' +
      'POST /batch/complete/{uploadId} would answer it: UPLOAD_ABORTED, UPLOAD_EXPIRED, SIZE_MISMATCH, ' +
      'WRONG_UPLOAD_ROUTE for an open Uppy upload, ...).',
    enum: OUTCOMES,
    example: 'completed',
  })
  outcome: (typeof OUTCOMES)[number];

  @ApiPropertyOptional({ description: 'The video, when outcome is completed.', type: VideoDto })
  video?: VideoDto;

  @ApiPropertyOptional({
    description: '0-based indices of the chunks not stored, when outcome is missing_chunks.',
    type: [Number],
    example: [3],
  })
  missingChunks?: number[];

  @ApiPropertyOptional({ description: 'Chunks of the upload, when outcome is missing_chunks.', example: 4 })
  totalChunks?: number;

  @ApiPropertyOptional({ description: 'Why the file cannot be completed, when outcome is failed.', type: ErrorBodyDto })
  error?: ErrorBodyDto;
}

export class BatchCompletionDto {
  @ApiProperty({ format: 'uuid', example: '7d1c0e52-9b8a-4c3d-8e2f-1a2b3c4d5e6f' })
  batchId: string;

  @ApiProperty({ description: 'True when every file of the batch has its video.', example: false })
  completed: boolean;

  @ApiProperty({ description: "One answer per file, in the order of init's files.", type: [BatchFileCompletionDto] })
  files: BatchFileCompletionDto[];
}

function toFileDto(f: BatchFileCompletion): BatchFileCompletionDto {
  const file = { uploadId: f.uploadId, filename: f.filename, outcome: f.outcome };
  switch (f.outcome) {
    case 'completed':
      return { ...file, video: toVideoDto(f.video) };
    case 'missing_chunks':
      return { ...file, missingChunks: f.missingChunks, totalChunks: f.totalChunks };
    case 'failed':
      return { ...file, error: f.error };
  }
}

export function toBatchCompletionDto(c: BatchCompletion): BatchCompletionDto {
  return { batchId: c.batchId, completed: c.completed, files: c.files.map(toFileDto) };
}
