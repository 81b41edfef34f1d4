import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { STATE_CATEGORIES, type StateCategory } from '../../tickets/entities/ticket-state.entity';
import { TICKET_CATEGORIES, type TicketCategory } from '../../tickets/entities/ticket-type.entity';

/*
 * GET /ticket_states' body (2.12 on), described for the OpenAPI document only: the body is built by the pure
 * mapper (ticket-states.mapper.ts), whose return value `satisfies` these classes. Names and descriptions are
 * Intercom's (the 2.12–Preview excerpts), except the ticket types' short form, which is ours (below). Read by the
 * @nestjs/swagger CLI plugin like the ticket DTOs (tickets/dto/ticket-response.dto.ts says how).
 */

@ApiSchema({
  name: 'ticket_state_ticket_type',
  description:
    'A ticket type associated with a ticket state, in the short form of Intercom\'s recorded example of "List ' +
    'all ticket states": the type\'s own fields, without its attributes, states, workspace or timestamps (the ' +
    'full `ticket_type` is what a ticket carries).',
})
export class TicketStateTicketTypeDto {
  /**
   * String representing the object's type. Always has the value `ticket_type`.
   * @example "ticket_type"
   */
  @ApiProperty({ enum: ['ticket_type'] })
  type!: 'ticket_type';

  /**
   * The id representing the ticket type.
   * @example "1295"
   */
  id!: string;

  /**
   * The name of the ticket type
   * @example "Bug"
   */
  name!: string;

  /**
   * The description of the ticket type
   * @example "A bug that has been reported."
   */
  description!: string;

  /**
   * The icon of the ticket type
   * @example "🐞"
   */
  icon!: string;

  /**
   * Whether the ticket type is archived or not.
   * @example false
   */
  archived!: boolean;

  /**
   * Category of the Ticket Type.
   * @example "Customer"
   */
  @ApiProperty({ enum: [...TICKET_CATEGORIES] })
  category!: TicketCategory;
}

@ApiSchema({
  name: 'ticket_state_detailed',
  description: 'A ticket state, used to define the state of a ticket.',
})
@ApiExtraModels(TicketStateTicketTypeDto)
export class TicketStateDetailedDto {
  /**
   * String representing the object's type. Always has the value `ticket_state`.
   * @example "ticket_state"
   */
  @ApiProperty({ enum: ['ticket_state'] })
  type!: 'ticket_state';

  /**
   * The id of the ticket state
   * @example "12"
   */
  id!: string;

  /**
   * The category of the ticket state
   * @example "in_progress"
   */
  @ApiProperty({ enum: [...STATE_CATEGORIES] })
  category!: StateCategory;

  /**
   * The state the ticket is currently in, in a human readable form - visible in Intercom
   * @example "With Dev Team"
   */
  internal_label!: string;

  /**
   * The state the ticket is currently in, in a human readable form - visible to customers, in the messenger,
   * email and tickets portal.
   * @example "In Progress"
   */
  external_label!: string;

  /**
   * Whether the ticket state is archived
   * @example false
   */
  archived!: boolean;

  // Inline, as Intercom's schema has it. Its items are nullable as Intercom's `ticket_type` is; ours never are.
  @ApiProperty({
    type: 'object',
    description: 'A list of ticket types associated with a given ticket state.',
    // `required` is the inline object's list; `selfRequired` says the property itself is always there.
    required: ['type', 'data'],
    selfRequired: true,
    properties: {
      type: {
        type: 'string',
        description: "String representing the object's type. Always has the value `list`.",
        enum: ['list'],
        example: 'list',
      },
      data: {
        type: 'array',
        description: 'The ticket types associated with the state, by id.',
        items: { type: 'object', nullable: true, allOf: [{ $ref: getSchemaPath(TicketStateTicketTypeDto) }] },
      },
    },
  })
  ticket_types!: { type: 'list'; data: (TicketStateTicketTypeDto | null)[] };
}

@ApiSchema({
  name: 'ticket_state_list',
  description: 'A list of ticket states associated with a given ticket type.',
})
@ApiExtraModels(TicketStateDetailedDto)
export class TicketStateListDto {
  /**
   * String representing the object's type. Always has the value `list`.
   * @example "list"
   */
  @ApiProperty({ enum: ['list'] })
  type!: 'list';

  /** The workspace's ticket states, archived ones included, by id. */
  // Nullable items, as Intercom's ticket_state_detailed is nullable (excerpt); ours never are.
  @ApiProperty({
    type: 'array',
    items: { type: 'object', nullable: true, allOf: [{ $ref: getSchemaPath(TicketStateDetailedDto) }] },
  })
  data!: (TicketStateDetailedDto | null)[];
}
