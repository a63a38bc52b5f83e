/**
 * The file a tus creation describes (Upload-Length and the Upload-Metadata keys `filename`, `filetype`,
 * `channel_id`), checked with init's own rules: the same DTO and validators, so that a name, a type or a
 * channel init refuses is refused here too, with the failing field named as the header that carried it.
 */
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { type FileToUpload, validationFailed } from '#uploads';
import { flattenValidationErrors } from '../common/validation.js';
import { InitBatchDto } from '../videos-batch/dto/init-batch.dto.js';

/** Where init's fields come from in a tus creation. */
const FIELD_SOURCES: Record<string, string> = {
  channel_id: 'Upload-Metadata.channel_id',
  'files.0.filename': 'Upload-Metadata.filename',
  'files.0.type': 'Upload-Metadata.filetype',
  'files.0.size': 'Upload-Length',
};

export interface TusCreation {
  channelId: string;
  file: FileToUpload;
}

/** Throws VALIDATION_FAILED as init would, naming headers and metadata keys. */
export async function tusCreation(length: number, metadata: Map<string, string | null>): Promise<TusCreation> {
  const dto = plainToInstance(InitBatchDto, {
    channel_id: metadata.get('channel_id') ?? undefined,
    files: [
      { filename: metadata.get('filename') ?? undefined, size: length, type: metadata.get('filetype') ?? undefined },
    ],
  });
  const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw validationFailed(
      flattenValidationErrors(errors).map((f) => ({ ...f, field: FIELD_SOURCES[f.field] ?? f.field })),
    );
  }
  const [file] = dto.files;
  return { channelId: dto.channel_id, file: { filename: file.filename, size: file.size, type: file.type } };
}
