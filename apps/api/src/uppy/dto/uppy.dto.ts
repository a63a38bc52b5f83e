/**
 * Bodies and answers of the Companion routes, in the shapes @uppy/aws-s3 6.x reads and sends
 * (node_modules/@uppy/aws-s3/src/s3-client/CompanionS3.ts): they are Uppy's, not the envelope's.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { sanitizeFilename } from '../../videos-batch/dto/filename.js';

export class UppyEndpointDto {
  @ApiProperty({
    description:
      "Give it to Uppy's S3 plugin as `companionEndpoint`. It carries a token that stands for you (with the channels your token allows) until expiresAt, for these routes only.",
    example: 'https://api.example.com/api/v1/uppy/Zr2N8x0rJ3m4x0mY3xQm0b8p9kS1w2e3r4t5y6u7i8o',
  })
  companionEndpoint: string;

  @ApiProperty({ description: 'When the endpoint stops working: the upload session lifetime from now.' })
  expiresAt: string;
}

export class CreateMultipartDto {
  @ApiProperty({ description: 'The file name (Uppy sends file.name); display metadata only.', example: 'clip.mp4' })
  @Transform(({ value }) => sanitizeFilename(value))
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  filename: string;

  @ApiPropertyOptional({ description: 'The file type, a hint as for init.', example: 'video/mp4' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  type?: string;

  @ApiProperty({
    description: "Uppy's file meta; `channel_id` names the channel (set it with Uppy's `meta` option).",
    example: { channel_id: '123', name: 'clip.mp4' },
  })
  @IsObject()
  metadata: Record<string, unknown>;
}

export class CreatedMultipartDto {
  @ApiProperty({ description: 'Storage key of the object (Uppy passes it back; Reelay goes by uploadId).' })
  key: string;

  @ApiProperty({ description: "The Reelay upload session's id: progress and abort take it too.", format: 'uuid' })
  uploadId: string;
}

export class SignedPartDto {
  @ApiProperty({ description: 'PUT the part here (any length up to 5 GiB); the answer carries its ETag.' })
  url: string;

  @ApiProperty({ description: 'Seconds the URL works.' })
  expires: number;
}

export class SignedPartsDto {
  @ApiProperty({
    description: 'Part number -> presigned URL.',
    type: 'object',
    additionalProperties: { type: 'string' },
  })
  presignedUrls: Record<string, string>;
}

export class ListedPartDto {
  @ApiProperty({ example: 1 }) PartNumber: number;
  @ApiProperty({ description: 'Bytes.', example: 5242880 }) Size: number;
  @ApiProperty({ example: '"9b2cf535f27731c974343645a3985328"' }) ETag: string;
}

export class CompletedPartDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  PartNumber: number;

  @ApiProperty({ example: '"9b2cf535f27731c974343645a3985328"' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  ETag: string;
}

export class CompleteMultipartDto {
  @ApiProperty({ type: [CompletedPartDto], description: 'The parts to join, ascending (S3 CompleteMultipartUpload).' })
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsObject({ each: true, message: 'each part must be an object' })
  @ValidateNested({ each: true })
  @Type(() => CompletedPartDto)
  parts: CompletedPartDto[];
}

export class CompletedMultipartDto {
  @ApiProperty({ description: 'The Video resource the upload became.' })
  location: string;

  @ApiProperty({ description: 'Storage key of the object.' })
  key: string;

  @ApiProperty({ description: 'Id of the Video.', format: 'uuid' })
  videoId: string;
}

/** Companion's answer to a completed upload; `location` is the Video's URL on this API. */
export function toCompletedMultipartDto(
  publicUrl: string,
  video: { id: string; storageKey: string },
): CompletedMultipartDto {
  return { location: `${publicUrl}/api/v1/videos/${video.id}`, key: video.storageKey, videoId: video.id };
}

export class PostPolicyDto {
  @ApiProperty({ example: 'POST' }) method: 'POST';
  @ApiProperty({ description: 'POST the form (fields, then the file as `file`) here.' }) url: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) fields: Record<string, string>;
}
