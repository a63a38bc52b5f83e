import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SHA256_HEX } from '#uploads';
import { sanitizeFilename } from './filename.js';

// eslint-disable-next-line no-control-regex -- the rule names exactly these characters
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]*$/;

/** One file the user selected. */
export class FileMetadataDto {
  @ApiProperty({
    description:
      'Display name of the file; kept as metadata only, never used in storage keys. Control characters, bidirectional overrides and path separators are removed or replaced.',
    example: 'myVideo1.mp4',
    maxLength: 1024,
  })
  @Transform(({ value }) => sanitizeFilename(value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  filename: string;

  @ApiProperty({ description: 'Exact size of the file in bytes.', example: 104857600, minimum: 1 })
  @IsInt()
  @Min(1)
  size: number;

  @ApiPropertyOptional({
    description:
      'A hint, as a browser reports File.type: any video/* type (parameters are dropped), application/octet-stream, ' +
      'or "" / absent (the filename extension tells, else application/octet-stream). A type that is plainly not ' +
      'video (image/png, text/html) is refused; the worker decides what is a video. init answers the recorded type.',
    example: 'video/mp4',
  })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  type?: string;

  @ApiPropertyOptional({
    description:
      'Hex SHA-256 of the whole file (64 lowercase hex characters), to have it checked: once processing has ' +
      'hashed the stored object, a different hash fails the video with a failureReason that starts with ' +
      'CHECKSUM_MISMATCH and names both hashes.',
    pattern: SHA256_HEX.source,
    example: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  })
  @IsOptional()
  @IsString()
  @Matches(SHA256_HEX, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256?: string;
}

export class InitBatchDto {
  @ApiProperty({
    description: 'Channel the videos are uploaded to. A number is accepted and read as its decimal string.',
    example: '123',
    oneOf: [{ type: 'string' }, { type: 'integer' }],
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  // PostgreSQL text cannot hold U+0000; no channel id needs a control character.
  @Matches(NO_CONTROL_CHARACTERS, { message: 'channel_id must not contain control characters' })
  channel_id: string;

  @ApiProperty({
    description: 'The files of the batch, in the order the answer keeps (at most UPLOAD_MAX_FILES, 5 by default).',
    type: [FileMetadataDto],
  })
  @IsArray()
  @ArrayMinSize(1)
  // ValidateNested alone passes an array in place of a file ([[]]) without looking into it.
  @IsObject({ each: true, message: 'each file must be an object' })
  @ValidateNested({ each: true })
  @Type(() => FileMetadataDto)
  files: FileMetadataDto[];
}
