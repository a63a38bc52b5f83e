import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class VideoIdParamsDto {
  @ApiProperty({
    description: 'videoId from complete (the fileId announced at init).',
    format: 'uuid',
    example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b',
  })
  @IsUUID()
  videoId: string;
}
