import { ApiProperty, OmitType } from '@nestjs/swagger';
import { UPLOAD_STATUSES } from '#progress';
import { BATCH_STATES, type BatchFileStatus, type BatchProgress, type BatchState } from '#uploads';
import { ProgressDto } from './progress.dto.js';

/** One file of a batch: its progress as GET /progress answers it, with its size and `expired` as a status. */
export class BatchFileDto extends OmitType(ProgressDto, ['status'] as const) {
  @ApiProperty({
    description:
      "The upload's status; `expired` for one that ran out (its own routes answer 410 UPLOAD_EXPIRED). An aborted or " +
      'expired file keeps nothing: its progress and stored figures are 0.',
    enum: [...UPLOAD_STATUSES, 'expired'],
    example: 'uploading',
  })
  status: BatchFileStatus;

  @ApiProperty({
    description: "Bytes of the file; null while an upload whose client sizes its parts (Uppy's S3 plugin) is open.",
    type: 'integer',
    nullable: true,
    example: 104857600,
  })
  size: number | null;
}

export class BatchDto {
  @ApiProperty({ format: 'uuid', example: '7d1c0e52-9b8a-4c3d-8e2f-1a2b3c4d5e6f' })
  batchId: string;

  @ApiProperty({ example: '123' })
  channelId: string;

  @ApiProperty({ example: '2026-11-25T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({
    description:
      '`uploading` while any file is open; `completed` when every file was completed (processing may still go on: ' +
      'see each videoStatus); `partially_failed` when none is open, some were completed and the others aborted or ' +
      'expired; `aborted` when every file was aborted; `expired` when none was completed and every file expired ' +
      '(or some were aborted and the others expired).',
    enum: BATCH_STATES,
    example: 'uploading',
  })
  state: BatchState;

  @ApiProperty({ description: "The files, in the order of init's files.", type: [BatchFileDto] })
  files: BatchFileDto[];

  @ApiProperty({
    description: 'Bytes stored of the files open or completed; aborted and expired files count in no figure.',
    example: 201326592,
  })
  bytesStored: number;

  @ApiProperty({
    description:
      "Bytes of the files open or completed; null while one is a client-sized upload (Uppy's) whose size is unknown.",
    type: 'integer',
    nullable: true,
    example: 524288000,
  })
  bytesTotal: number | null;

  @ApiProperty({
    description:
      'Whole percent of bytesTotal stored, 0-100 (100 only when each of those files is); null with bytesTotal.',
    type: 'integer',
    nullable: true,
    minimum: 0,
    maximum: 100,
    example: 38,
  })
  progress: number | null;
}

export function toBatchDto(b: BatchProgress): BatchDto {
  return { ...b, createdAt: b.createdAt.toISOString() };
}
