import { ApiProperty } from '@nestjs/swagger';
import { UPLOAD_STATUSES, type UploadStatus } from '#progress';
import type { InitializedUpload } from '#uploads';

/** How to upload one file of the batch. */
export class UploadSessionDto {
  @ApiProperty({
    description: 'Id of this file upload; used by every other batch route.',
    format: 'uuid',
    example: '8477b9af-5c1e-4b4e-9a57-3f0a3c1d2e11',
  })
  uploadId: string;

  @ApiProperty({
    description: 'Id the video will have once the upload is completed.',
    format: 'uuid',
    example: 'b14ede53-0f5d-4a43-8f0e-2b6a5c7d9e01',
  })
  fileId: string;

  @ApiProperty({
    description: 'Id shared by every file of the same init call.',
    format: 'uuid',
    example: '0d3c5b7a-1e2f-4a6b-8c9d-0e1f2a3b4c5d',
  })
  batchId: string;

  @ApiProperty({
    description: 'The filename sent at init, for matching sessions to local files.',
    example: 'myVideo2.mp4',
  })
  filename: string;

  @ApiProperty({ description: 'File size in bytes.', example: 524288001 })
  size: number;

  @ApiProperty({
    description:
      'The type the file is recorded with: the declared video type without parameters, else what the filename ' +
      'extension implies, else application/octet-stream. The video keeps it, whatever the PUT sends.',
    example: 'video/mp4',
  })
  contentType: string;

  @ApiProperty({
    description:
      'True when the file goes up in parts (larger than the single-upload limit, 150 MiB by default); false when it goes up whole, with one PUT to its one URL.',
    example: true,
  })
  isChunked: boolean;

  @ApiProperty({
    description:
      'Bytes per chunk: chunk i is bytes [i*chunkSize, min(size, (i+1)*chunkSize)). For a file sent whole, the file size.',
    example: 67108864,
  })
  chunkSize: number;

  @ApiProperty({ description: 'Number of chunks (1 for a single upload).', example: 8 })
  totalChunks: number;

  @ApiProperty({
    description:
      "presignedUrls[i] uploads chunk i with one PUT of exactly that chunk's bytes (part i+1 of the multipart upload), with any Content-Type. A URL stops working when it expires or when the upload is completed.",
    type: [String],
    example: ['https://gateway.storjshare.io/videos/9b1c...?partNumber=1&uploadId=...&X-Amz-Signature=...'],
  })
  presignedUrls: string[];

  @ApiProperty({
    description: 'When the presigned URLs stop working (ISO 8601); ask /retry for fresh ones after that.',
    example: '2026-11-25T21:00:00.000Z',
  })
  expiresAt: string;

  @ApiProperty({ description: 'Upload status.', enum: UPLOAD_STATUSES, example: 'initialized' })
  status: UploadStatus;
}

export function toUploadSessionDto(u: InitializedUpload): UploadSessionDto {
  return {
    uploadId: u.uploadId,
    fileId: u.fileId,
    batchId: u.batchId,
    filename: u.filename,
    size: u.size,
    contentType: u.contentType,
    isChunked: u.isChunked,
    chunkSize: u.chunkSize,
    totalChunks: u.totalChunks,
    presignedUrls: u.presignedUrls,
    expiresAt: u.urlsExpireAt.toISOString(),
    status: u.status,
  };
}
