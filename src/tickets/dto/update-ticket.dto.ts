import { ApiHideProperty, ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
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
export function IsIdLike(options?: ValidationOptions): PropertyDecorator {
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

/** Unix seconds a client may send (far below 2^53; 9999-12-31T23:59:59Z, as the import allows). */
const MAX_UNIX_SECONDS = 253402300799;

/**
 * The request body. Every field of every version is read at every version (BEHAVIOUR.md §6: one meaning each);
 * unknown top-level fields are dropped before validation (§2). The OpenAPI document of 2.9 shows the 2.9 fields;
 * the later ones are hidden here and added by the documents of the versions that define them.
 */
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

  // Later versions' fields (BEHAVIOUR.md §6), accepted at every version.

  /** 2.12: the exact state (an id of a state of the ticket's type). */
  @ApiHideProperty()
  @IsOptional()
  @IsIdLike({ message: 'ticket_state_id must be a string or an integer id between 0 and 2^53 - 1' })
  ticket_state_id?: string | number;

  /** 2.10: false closes the ticket (and unsnoozes it), true reopens it. */
  @ApiHideProperty()
  @IsOptional()
  @IsBoolean({ message: 'open must be true or false' })
  open?: boolean;

  /** 2.10: snooze an open ticket until then (unix seconds, in the future). */
  @ApiHideProperty()
  @IsOptional()
  @ValidateBy({
    name: 'isUnixSeconds',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_UNIX_SECONDS,
      defaultMessage: () =>
        'snoozed_until must be a unix timestamp in whole seconds (an integer between 0 and 253402300799)',
    },
  })
  snoozed_until?: number;

  /** 2.12: the company (Intercom's id), or null to remove it. */
  @ApiHideProperty()
  @IsOptional()
  @IsString({ message: 'company_id must be a company id (a string), or null to remove the company' })
  @MaxLength(255, { message: 'company_id must be at most 255 characters' })
  company_id?: string | null;

  /** 2.14: the admin performing the update (nested `assignment` before 2.14). */
  @ApiHideProperty()
  @IsOptional()
  @IsIdLike({ message: 'admin_id must be a string or an integer id between 0 and 2^53 - 1' })
  admin_id?: string | number;

  /** 2.14: the admin or team to assign (0 unassigns). */
  @ApiHideProperty()
  @IsOptional()
  @IsIdLike({ message: 'assignee_id must be a string or an integer id between 0 and 2^53 - 1' })
  assignee_id?: string | number;

  /** 2.13: no notifications for this update (recorded in the audit row). */
  @ApiHideProperty()
  @IsOptional()
  @IsBoolean({ message: 'skip_notifications must be true or false' })
  skip_notifications?: boolean;
}
