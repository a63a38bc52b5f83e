import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { SHA256_HEX } from '#uploads';

/** The optional body of POST /batch/complete/:uploadId. */
export class CompleteUploadDto {
  @ApiPropertyOptional({
    description:
      'Hex SHA-256 of the whole file (64 lowercase hex characters), declared at completion rather than at init, ' +
      "so that a client can hash the file while it uploads it. Checked as init's sha256 is; one that differs from " +
      'the sha256 init declared is refused (400). It counts on the call that completes the upload; a repeated ' +
      'complete answers the video as it is.',
    pattern: SHA256_HEX.source,
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  })
  @IsOptional()
  @IsString()
  @Matches(SHA256_HEX, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256?: string;
}
