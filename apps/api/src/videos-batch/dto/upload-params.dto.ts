import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsUUID, Max, Min } from 'class-validator';

/** The chunk route's path: an upload and a chunk of it. */
export class ChunkParamsDto {
  @ApiProperty({ description: 'uploadId from init.', format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  @IsUUID()
  uploadId: string;

  @ApiProperty({ description: '0-based chunk index.', minimum: 0, maximum: 9999, example: 0 })
  // Only plain decimal digits: '1e3', '0x10', ' 1' or '1.5' are not chunk indices.
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN))
  @IsInt({ message: 'chunkIndex must be a whole number' })
  @Min(0)
  @Max(9999)
  chunkIndex: number;
}
