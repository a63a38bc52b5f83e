import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, Max, Min } from 'class-validator';

/** The optional body of POST /batch/retry/:uploadId. */
export class RetryChunksDto {
  @ApiPropertyOptional({
    description:
      'The 0-based chunks to get fresh URLs for (a client resuming after a reload, or whose URL storage refused). Chunks already stored are left out of the answer. Without it: the chunks the server counts as failed.',
    type: [Number],
    maxItems: 10000,
    example: [3, 4, 7],
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(9999, { each: true })
  chunks?: number[];
}
