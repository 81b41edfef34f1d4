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

export const SETTABLE_STATES = ['in_progress', 'waiting_on_customer', 'resolved'] as const;
export type SettableState = (typeof SETTABLE_STATES)[number];

/** An id sent as a string or, as clients often do, as a non-negative integer (BEHAVIOUR.md §2). */
function IsIdLike(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdLike',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0),
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a string or a non-negative integer id`,
      },
    },
    options,
  );
}

export class AssignmentDto {
  @IsDefined({ message: 'assignment.admin_id is required: the id of the admin performing the assignment' })
  @IsIdLike({ message: 'assignment.admin_id must be a string or a non-negative integer id' })
  admin_id!: string | number;

  @IsDefined({ message: 'assignment.assignee_id is required: an admin id, a team id, or "0" to unassign' })
  @IsIdLike({ message: 'assignment.assignee_id must be a string or a non-negative integer id' })
  assignee_id!: string | number;
}

/** The 2.9 request body. Unknown top-level fields are dropped before validation (BEHAVIOUR.md §2). */
export class UpdateTicketDto {
  @IsOptional()
  @IsObject({ message: 'ticket_attributes must be an object of attribute names to values' })
  ticket_attributes?: Record<string, unknown>;

  @IsOptional()
  @IsIn(SETTABLE_STATES, { message: `state must be one of: ${SETTABLE_STATES.join(', ')}` })
  state?: SettableState;

  @IsOptional()
  @IsBoolean({ message: 'is_shared must be true or false' })
  is_shared?: boolean;

  @IsOptional()
  @IsObject({ message: 'assignment must be an object with admin_id and assignee_id' })
  @ValidateNested()
  assignment?: AssignmentDto;
}
