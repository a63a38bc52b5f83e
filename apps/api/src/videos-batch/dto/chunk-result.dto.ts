import { ApiProperty } from '@nestjs/swagger';

export class ChunkResultDto {
  @ApiProperty({ format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' })
  uploadId: string;

  @ApiProperty({ example: 3 })
  chunkIndex: number;

  @ApiProperty({ description: 'Bytes stored for this chunk.', example: 67108864 })
  size: number;

  @ApiProperty({ description: 'ETag storage gave the part.', example: '"9b2cf535f27731c974343645a3985328"' })
  etag: string;

  @ApiProperty({ description: 'Chunks stored so far.', example: 4 })
  completedCount: number;

  @ApiProperty({ example: 8 })
  totalChunks: number;

  @ApiProperty({ minimum: 0, maximum: 100, example: 50 })
  progress: number;
}
