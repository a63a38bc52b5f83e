/** Validation failures become 400 VALIDATION_FAILED with each failing field and its reasons in details. */
import { type Type, ValidationPipe, type ValidationError } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { UploadError, UploadErrorCode } from './upload-error.js';

export interface FieldProblem {
  field: string;
  problems: string[];
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flattenValidationErrors(e.children ?? [], field)];
  });
}

export function validationFailed(fields: FieldProblem[]): UploadError {
  const summary = fields.map((f) => f.field).join(', ');
  return new UploadError(UploadErrorCode.ValidationFailed, `Invalid request: ${summary}`, { fields });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    transform: true,
    whitelist: true,
    forbidNonWhitelisted: true,
    exceptionFactory: (errors) => validationFailed(flattenValidationErrors(errors)),
  });
}

/** What the global pipe does to a DTO, for a route outside Nest: the VALIDATION_FAILED error, or null. */
export async function validationErrorOf(dto: Type<object>, plain: object): Promise<UploadError | null> {
  const errors = await validate(plainToInstance(dto, plain), { whitelist: true, forbidNonWhitelisted: true });
  return errors.length > 0 ? validationFailed(flattenValidationErrors(errors)) : null;
}
