/**
 * Path parameters that are UUIDs (uploadId, videoId), checked by class-validator's isUUID (the rule of
 * @IsUUID) in a pipe of their own: the validation pipe would build and validate a DTO for every poll.
 * A bad one answers 400 VALIDATION_FAILED naming the parameter, as the validation pipe does.
 */
import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { validationFailed } from '#uploads';

/** `value` when it is a UUID; else 400 VALIDATION_FAILED naming the parameter `name`. */
export function uuidParam(name: string, value: string): string {
  if (isUUID(value)) return value;
  throw validationFailed([{ field: name, problems: [`${name} must be a UUID`] }]);
}

@Injectable()
export class ParseUuid implements PipeTransform<string, string> {
  transform(value: string, { data }: ArgumentMetadata): string {
    return uuidParam(data ?? 'id', value);
  }
}

/** The uploadId path parameter, as OpenAPI describes it. */
export const UPLOAD_ID_PARAM = {
  name: 'uploadId',
  description: 'uploadId from init.',
  schema: { type: 'string' as const, format: 'uuid', example: 'bab41125-7d3e-4f1a-9c2b-5e6f7a8b9c0d' },
};

export const ApiUploadIdParam = () => ApiParam(UPLOAD_ID_PARAM);

/** The OpenAPI description of the batchId path parameter. */
export const ApiBatchIdParam = () =>
  ApiParam({
    name: 'batchId',
    description: 'batchId from init.',
    schema: { type: 'string', format: 'uuid', example: '7d1c0e52-9b8a-4c3d-8e2f-1a2b3c4d5e6f' },
  });

/** The OpenAPI description of the videoId path parameter. */
export const ApiVideoIdParam = () =>
  ApiParam({
    name: 'videoId',
    description: 'videoId from complete (the fileId announced at init).',
    schema: { type: 'string', format: 'uuid', example: '444db937-2c1d-4e5f-8a9b-0c1d2e3f4a5b' },
  });
