import { ApiProperty } from '@nestjs/swagger';

/** The answer to an abort: the upload is gone, and every later call for it answers 410 UPLOAD_ABORTED. */
export class AbortedUploadDto {
  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ enum: ['aborted'], example: 'aborted' })
  status: 'aborted';
}
