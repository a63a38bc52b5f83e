/** OpenAPI descriptions of the envelope around each route's data and of its error answers. */
import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiResponse, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { ERROR_CODES } from './api-exception.filter.js';

export class ErrorBodyDto {
  @ApiProperty({ description: 'Stable machine-readable code.', enum: ERROR_CODES, example: 'MISSING_PARTS' })
  code: string;

  @ApiProperty({
    description: 'What went wrong, for a person.',
    example: 'Missing parts: 2 of 10 chunks are not uploaded',
  })
  message: string;

  @ApiProperty({
    description: 'Structured details (failing fields, missing chunk indices, error id), or null.',
    nullable: true,
    type: 'object',
    additionalProperties: true,
    example: { missingChunks: [2, 7], totalChunks: 10 },
  })
  details: Record<string, unknown> | null;
}

export class ErrorEnvelopeDto {
  @ApiProperty({ example: false })
  success: false;

  @ApiProperty({ type: ErrorBodyDto })
  error: ErrorBodyDto;
}

/** The schema of `{ success: true, data }` around `model` (a list of them with isArray). */
export function okEnvelopeSchema(model: Type<unknown>, isArray = false): SchemaObject {
  const data = isArray ? { type: 'array', items: { $ref: getSchemaPath(model) } } : { $ref: getSchemaPath(model) };
  return {
    type: 'object',
    required: ['success', 'data'],
    properties: { success: { type: 'boolean', example: true }, data },
  };
}

export function ApiOkEnvelope(
  model: Type<unknown>,
  options: { isArray?: boolean; status?: number; description?: string } = {},
) {
  return applyDecorators(
    ApiExtraModels(model, ErrorEnvelopeDto),
    ApiResponse({
      status: options.status ?? 200,
      description: options.description ?? 'Success',
      schema: okEnvelopeSchema(model, options.isArray),
    }),
  );
}

export function ApiErrors(...responses: Array<[status: number, description: string]>) {
  return applyDecorators(
    ...responses.map(([status, description]) => ApiResponse({ status, description, type: ErrorEnvelopeDto })),
  );
}
