import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';
import { DEMO_IDS } from '../../docs/demo-ids';

export const SETTABLE_STATES = ['in_progress', 'waiting_on_customer', 'resolved'] as const;
export type SettableState = (typeof SETTABLE_STATES)[number];

/**
 * An id sent as a string or, as clients often do, as a non-negative integer (BEHAVIOUR.md §2). Only a safe
 * integer is one: a larger number was already rounded by JSON.parse and would name another admin, so it is
 * a bad value (400), not an unknown id (404).
 */
function IsIdLike(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdLike',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a string or an integer id between 0 and 2^53 - 1`,
      },
    },
    options,
  );
}

/*
 * Documented by the @nestjs/swagger CLI plugin (nest-cli.json): types and required-ness come from the TypeScript
 * types (`?` is optional), descriptions and `@example`s from the JSDoc; decorators add only what a type cannot say.
 */

@ApiSchema({ name: 'update_ticket_request_assignment' })
export class AssignmentDto {
  /** The ID of the admin performing the action. */
  // Documented as Intercom does (string); integers are accepted too (BEHAVIOUR.md §2). The example is the demo
  // workspace's id (src/demo), so "Try it out" in /docs works against `npm start` as it is.
  @ApiProperty({ type: 'string', example: DEMO_IDS.admin })
  @IsDefined({ message: 'assignment.admin_id is required: the id of the admin performing the assignment' })
  @IsIdLike({ message: 'assignment.admin_id must be a string or an integer id between 0 and 2^53 - 1' })
  admin_id!: string | number;

  /** The ID of the admin or team to which the ticket is assigned. Set this 0 to unassign it. */
  @ApiProperty({ type: 'string', example: DEMO_IDS.otherAdmin })
  @IsDefined({ message: 'assignment.assignee_id is required: an admin id, a team id, or "0" to unassign' })
  @IsIdLike({ message: 'assignment.assignee_id must be a string or an integer id between 0 and 2^53 - 1' })
  assignee_id!: string | number;
}

/** The 2.9 request body. Unknown top-level fields are dropped before validation (BEHAVIOUR.md §2). */
@ApiSchema({ name: 'update_ticket_request', description: 'You can update a Ticket' })
export class UpdateTicketDto {
  /** The attributes set on the ticket. */
  @ApiProperty({ example: { _default_title_: 'example', _default_description_: 'having a problem' } })
  @IsOptional()
  @IsObject({ message: 'ticket_attributes must be an object of attribute names to values' })
  ticket_attributes?: Record<string, unknown>;

  /**
   * The state of the ticket.
   * @example "in_progress"
   */
  // Its enum is the @IsIn list (the plugin's classValidatorShim): the docs and the validation share one list.
  @IsOptional()
  @IsIn(SETTABLE_STATES, { message: `state must be one of: ${SETTABLE_STATES.join(', ')}` })
  state?: SettableState;

  /**
   * Specify whether the ticket is visible to users.
   * @example true
   */
  @IsOptional()
  @IsBoolean({ message: 'is_shared must be true or false' })
  is_shared?: boolean;

  /** Assigns the ticket; both ids are required when it is sent. */
  @IsOptional()
  @IsObject({ message: 'assignment must be an object with admin_id and assignee_id' })
  @ValidateNested()
  assignment?: AssignmentDto;
}
