import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { ErrorListBody } from './api-error';
import { ERROR_STATUS } from './error-codes';

/**
 * The `error.list` body (BEHAVIOUR.md §4), described for the OpenAPI document. Field types come from
 * ErrorListBody, which `toErrorList` builds, so the two cannot disagree on types; names and shapes are checked
 * against real error bodies in test/openapi.e2e-spec.ts. The @nestjs/swagger CLI plugin (nest-cli.json) reads
 * types, required-ness, descriptions and `@example`s from the code and its JSDoc; decorators add the rest.
 */
@ApiSchema({
  name: 'error',
  description:
    'The API will return an Error List for a failed request, which will contain one or more Error objects.',
})
export class ErrorListDto {
  /**
   * The type is error.list
   * @example "error.list"
   */
  @ApiProperty({ enum: ['error.list'] })
  type!: ErrorListBody['type'];

  /**
   * The id of the request, also sent in the `X-Request-Id` header.
   * @example "f93ecfa8-d08a-4325-8694-89aeb89c8f85"
   */
  // The plugin reads `string | null` only when written out: ErrorListBody's is behind an indexed access type.
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  request_id!: ErrorListBody['request_id'];

  /** An array of one or more error objects */
  // Inline, as Intercom's error schema has it: the item has no name of its own there (so no class, and its
  // descriptions stay here).
  @ApiProperty({
    type: 'array',
    items: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: Object.keys(ERROR_STATUS),
          description:
            'A string indicating the kind of error, used to further qualify the HTTP response code',
          example: 'unauthorized',
        },
        message: {
          type: 'string',
          nullable: true,
          description: 'Human readable description of the error.',
          example: 'Access Token Invalid',
        },
        field: {
          type: 'string',
          nullable: true,
          description: 'Optional. Used to identify a particular field or query parameter that was in error.',
          example: 'state',
        },
      },
    },
  })
  errors!: ErrorListBody['errors'];
}
