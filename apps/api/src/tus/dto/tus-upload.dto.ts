import { ApiProperty } from '@nestjs/swagger';
import type { TusUpload } from '#uploads';

/** A tus upload, as the creation's body says it (tus clients read the headers; this is for people). */
export class TusUploadDto {
  @ApiProperty({
    description: 'The upload session id, the last segment of Location; the batch progress and abort routes take it.',
    format: 'uuid',
    example: '8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11',
  })
  uploadId: string;

  @ApiProperty({ description: 'Upload-Length: the file size in bytes.', example: 104857600 })
  length: number;

  @ApiProperty({ description: 'Upload-Offset: bytes stored so far.', example: 0 })
  offset: number;

  @ApiProperty({
    description: 'Upload-Expires as ISO 8601: the upload must be finished by then; null once completed.',
    nullable: true,
    type: String,
    example: '2026-11-25T21:00:00.000Z',
  })
  expiresAt: string | null;

  @ApiProperty({ description: 'True once the last byte arrived: the video exists and is being processed.' })
  completed: boolean;
}

export function toTusUploadDto(u: TusUpload): TusUploadDto {
  return {
    uploadId: u.uploadId,
    length: u.length,
    offset: u.offset,
    expiresAt: u.expiresAt?.toISOString() ?? null,
    completed: u.completed,
  };
}
