import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ASSIGNED_TO_TYPES, type AssignedToType } from '../entities/ticket-part.entity';
import { DATA_TYPES, type DataType } from '../entities/ticket-type-attribute.entity';
import { STATE_CATEGORIES, type StateCategory } from '../entities/ticket-state.entity';
import type { AttributeValue } from '../entities/ticket.entity';

/*
 * The 2.9 response body, described for the OpenAPI document only: the body itself is built by the pure mapper
 * (ticket.mapper.ts), whose return values `satisfies` these classes. Schema names, descriptions and examples are
 * Intercom's (update-ticket-2.9.md and the 2.9 excerpt), so code generated from /openapi.json has Intercom's
 * type names. `required` lists what BEHAVIOUR.md §1 guarantees in every body; test/openapi.e2e-spec.ts checks
 * the lot against the excerpt and against real responses.
 *
 * The @nestjs/swagger CLI plugin (nest-cli.json) reads the rest from the code: types, nullability (`| null`)
 * and required-ness (`?` is optional) from the TypeScript types, descriptions and `@example`s from the JSDoc.
 * Decorators say only what it cannot: `integer` (a TS number is `number`), formats, enums (the plugin drops a
 * single literal such as `'ticket'` and lists a union in its own order, not Intercom's), object examples,
 * free-form maps, and where the documented nullability differs from the type. String examples are quoted:
 * the plugin reads an unquoted `@example 1` on a `string | null` as a number. A side effect: /openapi.json lists
 * a class's decorated properties before the others (swagger registers them when the class is defined, the
 * plugin's when the document is built); key order is not part of the contract.
 */

const AUTHOR_TYPES = ['admin', 'bot', 'team'] as const;

@ApiSchema({
  name: 'file_attribute',
  description: 'The value describing a file upload set for a custom attribute',
})
export class FileAttributeDto {
  /** @example "upload" */
  type!: string;

  /**
   * The name of the file
   * @example "Screenshot.png"
   */
  name!: string;

  /**
   * The url of the file. This is a temporary URL and will expire after 30 minutes.
   * @example "https://intercom-attachments-1.com/.../Screenshot.png"
   */
  url!: string;

  /**
   * The type of file
   * @example "image/png"
   */
  content_type?: string;

  /**
   * The size of the file in bytes
   * @example 11308309
   */
  @ApiProperty({ type: 'integer' })
  filesize?: number;

  /**
   * The width of the file in pixels, if applicable
   * @example 3024
   */
  @ApiProperty({ type: 'integer' })
  width?: number;

  /**
   * The height of the file in pixels, if applicable
   * @example 1964
   */
  @ApiProperty({ type: 'integer' })
  height?: number;
}

@ApiSchema({ name: 'part_attachment', description: 'The file attached to a part' })
export class PartAttachmentDto {
  /**
   * The type of attachment
   * @example "upload"
   */
  type!: string;

  /**
   * The name of the attachment
   * @example "example.png"
   */
  name!: string;

  /**
   * The URL of the attachment
   * @example "https://picsum.photos/200/300"
   */
  url!: string;

  /**
   * The content type of the attachment
   * @example "image/png"
   */
  content_type?: string;

  /**
   * The size of the attachment
   * @example 100
   */
  @ApiProperty({ type: 'integer' })
  filesize?: number;

  /**
   * The width of the attachment
   * @example 100
   */
  @ApiProperty({ type: 'integer' })
  width?: number;

  /**
   * The height of the attachment
   * @example 100
   */
  @ApiProperty({ type: 'integer' })
  height?: number;
}

@ApiSchema({ name: 'reference', description: 'reference to another object' })
export class ReferenceDto {
  /**
   * What the ticket was assigned to; `nobody_admin` when it was unassigned.
   * @example "admin"
   */
  @ApiProperty({ enum: [...ASSIGNED_TO_TYPES] })
  type!: AssignedToType;

  /**
   * The id of the admin or team; null when unassigned.
   * @example "991267721"
   */
  id!: string | null;
}

@ApiSchema({
  name: 'ticket_part_author',
  description: 'The author that wrote or triggered the part. Can be a bot, admin, team or user.',
})
export class PartAuthorDto {
  /** @example "admin" */
  @ApiProperty({ enum: [...AUTHOR_TYPES] })
  type!: (typeof AUTHOR_TYPES)[number];

  /**
   * The id of the author
   * @example "274"
   */
  id!: string;

  /**
   * The name of the author
   * @example "Operator"
   */
  name!: string | null;

  /**
   * The email of the author
   * @example "operator+abcd1234@intercom.io"
   */
  @ApiProperty({ format: 'email' })
  email!: string;
}

@ApiSchema({ name: 'ticket_part', description: 'A Ticket Part represents a message in the ticket.' })
export class TicketPartDto {
  /**
   * Always ticket_part
   * @example "ticket_part"
   */
  @ApiProperty({ enum: ['ticket_part'] })
  type!: 'ticket_part';

  /**
   * The id representing the ticket part.
   * @example "3"
   */
  id!: string;

  /**
   * The type of ticket part.
   * @example "comment"
   */
  part_type!: string;

  /**
   * The message body, which may contain HTML.
   * @example "<p>Okay!</p>"
   */
  body!: string | null;

  /**
   * The previous state of the ticket. Only on `ticket_state_updated_by_admin` parts.
   * @example "submitted"
   */
  // Only on ticket_state_updated_by_admin parts (BEHAVIOUR.md §1). The type admits null because an imported
  // snapshot may omit it; Intercom documents it as non-null and so do we.
  @ApiProperty({ enum: [...STATE_CATEGORIES], nullable: false })
  previous_ticket_state?: StateCategory | null;

  /**
   * The state of the ticket. Only on `ticket_state_updated_by_admin` parts.
   * @example "in_progress"
   */
  @ApiProperty({ enum: [...STATE_CATEGORIES], nullable: false })
  ticket_state?: StateCategory | null;

  /**
   * The time the ticket part was created.
   * @example 1663597223
   */
  @ApiProperty({ type: 'integer' })
  created_at!: number;

  /**
   * The last time the ticket part was updated.
   * @example 1663597260
   */
  @ApiProperty({ type: 'integer' })
  updated_at!: number;

  /** The admin or team that was assigned the ticket by this ticket_part. Only on `assignment` parts. */
  // Only on assignment parts (BEHAVIOUR.md §1).
  assigned_to?: ReferenceDto | null;

  author!: PartAuthorDto;

  /** A list of attachments for the part. */
  attachments!: PartAttachmentDto[];

  /**
   * The external id of the ticket part
   * @example "abcd1234"
   */
  external_id!: string | null;

  /**
   * Whether or not the ticket part has been redacted.
   * @example false
   */
  redacted!: boolean;
}

@ApiSchema({
  name: 'ticket_parts',
  description:
    'A list of Ticket Part objects for each note and event in the ticket. There is a limit of 500 parts.',
})
export class TicketPartListDto {
  /** @example "ticket_part.list" */
  @ApiProperty({ enum: ['ticket_part.list'] })
  type!: 'ticket_part.list';

  /** The 500 most recent parts of the ticket, oldest first. */
  ticket_parts!: TicketPartDto[];

  /**
   * The total number of parts of the ticket, which may exceed the 500 listed.
   * @example 2
   */
  @ApiProperty({ type: 'integer' })
  total_count!: number;
}

@ApiSchema({ name: 'contact_reference', description: 'reference to contact object' })
export class ContactReferenceDto {
  /**
   * always contact
   * @example "contact"
   */
  @ApiProperty({ enum: ['contact'] })
  type!: 'contact';

  /**
   * The unique identifier for the contact which is given by Intercom.
   * @example "5ba682d23d7cf92bef87bfd4"
   */
  id!: string;

  /**
   * The unique identifier for the contact which is provided by the Client.
   * @example "f3b87a2e09d514c6c2e79b9a"
   */
  external_id!: string | null;
}

@ApiSchema({ name: 'ticket_contacts', description: 'The list of contacts affected by a ticket.' })
export class ContactListDto {
  /**
   * always contact.list
   * @example "contact.list"
   */
  @ApiProperty({ enum: ['contact.list'] })
  type!: 'contact.list';

  /** The list of contacts affected by this ticket. */
  contacts!: ContactReferenceDto[];
}

@ApiSchema({
  name: 'ticket_type_attribute',
  description: 'Ticket type attribute, used to define each data field to be captured in a ticket.',
})
export class TicketTypeAttributeDto {
  /**
   * String representing the object's type. Always has the value `ticket_type_attribute`.
   * @example "ticket_type_attribute"
   */
  @ApiProperty({ enum: ['ticket_type_attribute'] })
  type!: 'ticket_type_attribute';

  /**
   * The id representing the ticket type attribute.
   * @example "1"
   */
  id!: string;

  /**
   * The id of the workspace that the ticket type attribute belongs to.
   * @example "ecahpwf5"
   */
  workspace_id!: string;

  /**
   * The name of the ticket type attribute
   * @example "Title"
   */
  name!: string;

  /**
   * The description of the ticket type attribute
   * @example "Bug title."
   */
  description!: string;

  /**
   * The type of the data attribute
   * @example "string"
   */
  @ApiProperty({ enum: [...DATA_TYPES] })
  data_type!: DataType;

  /** Input options for the attribute; `list_items` for list attributes. */
  @ApiProperty({ example: { multiline: true } })
  input_options!: Record<string, unknown>;

  /**
   * The order of the attribute against other attributes
   * @example 1
   */
  @ApiProperty({ type: 'integer' })
  order!: number;

  /**
   * Whether the attribute is required or not for teammates.
   * @example false
   */
  required_to_create!: boolean;

  /**
   * Whether the attribute is required or not for contacts.
   * @example false
   */
  required_to_create_for_contacts!: boolean;

  /**
   * Whether the attribute is visible or not to teammates.
   * @example true
   */
  visible_on_create!: boolean;

  /**
   * Whether the attribute is visible or not to contacts.
   * @example true
   */
  visible_to_contacts!: boolean;

  /**
   * Whether the attribute is built in or not.
   * @example true
   */
  default!: boolean;

  /**
   * The id of the ticket type that the attribute belongs to.
   * @example 42
   */
  @ApiProperty({ type: 'integer' })
  ticket_type_id!: number;

  /**
   * Whether the ticket type attribute is archived or not.
   * @example false
   */
  archived!: boolean;

  /**
   * The date and time the ticket type attribute was created.
   * @example 1663597223
   */
  @ApiProperty({ type: 'integer' })
  created_at!: number;

  /**
   * The date and time the ticket type attribute was last updated.
   * @example 1663597260
   */
  @ApiProperty({ type: 'integer' })
  updated_at!: number;
}

@ApiSchema({
  name: 'ticket_type_attribute_list',
  description: 'A list of attributes associated with a given ticket type.',
})
@ApiExtraModels(TicketTypeAttributeDto)
export class TicketTypeAttributeListDto {
  /** String representing the object's type. Always has the value `ticket_type_attributes.list`. */
  @ApiProperty({ enum: ['ticket_type_attributes.list'] })
  type!: 'ticket_type_attributes.list';

  /** All the attributes of the ticket type, archived ones included, in `order`. */
  // Intercom's ticket_type_attribute schema is nullable, hence nullable items (excerpt); ours are never null.
  @ApiProperty({
    type: 'array',
    items: { type: 'object', nullable: true, allOf: [{ $ref: getSchemaPath(TicketTypeAttributeDto) }] },
  })
  ticket_type_attributes!: (TicketTypeAttributeDto | null)[];
}

@ApiSchema({
  name: 'ticket_type',
  description: 'A ticket type, used to define the data fields to be captured in a ticket.',
})
export class TicketTypeDto {
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
   * The id of the workspace that the ticket type belongs to.
   * @example "ecahpwf5"
   */
  workspace_id!: string;

  ticket_type_attributes!: TicketTypeAttributeListDto;

  /**
   * Whether the ticket type is archived or not.
   * @example false
   */
  archived!: boolean;

  /**
   * The date and time the ticket type was created.
   * @example 1663597223
   */
  @ApiProperty({ type: 'integer' })
  created_at!: number;

  /**
   * The date and time the ticket type was last updated.
   * @example 1663597260
   */
  @ApiProperty({ type: 'integer' })
  updated_at!: number;
}

@ApiSchema({ name: 'ticket', description: 'Tickets are how you track requests from your users.' })
@ApiExtraModels(FileAttributeDto)
export class TicketResponseDto {
  /**
   * Always ticket
   * @example "ticket"
   */
  @ApiProperty({ enum: ['ticket'] })
  type!: 'ticket';

  /**
   * The unique identifier for the ticket which is given by Intercom.
   * @example "1295"
   */
  id!: string;

  /**
   * The ID of the Ticket used in the Intercom Inbox and Messenger. Do not use ticket_id for API queries.
   * @example "1390"
   */
  ticket_id!: string;

  /**
   * An object containing the different attributes associated to the ticket as key-value pairs. For the default
   * title and description attributes, the keys are `_default_title_` and `_default_description_`.
   */
  @ApiProperty({
    additionalProperties: {
      anyOf: [
        { type: 'string', nullable: true },
        { type: 'number' },
        { type: 'boolean' },
        { type: 'array', items: {} },
        { $ref: getSchemaPath(FileAttributeDto) },
      ],
    },
    example: { _default_title_: 'Found a bug', _default_description_: "The button's not working" },
  })
  ticket_attributes!: Record<string, AttributeValue>;

  /**
   * The state the ticket is currently in
   * @example "submitted"
   */
  @ApiProperty({ enum: [...STATE_CATEGORIES] })
  ticket_state!: StateCategory;

  /**
   * The state the ticket is currently in, in a human readable form - visible in Intercom
   * @example "In progress"
   */
  ticket_state_internal_label!: string;

  /**
   * The state the ticket is currently in, in a human readable form - visible to customers, in the messenger,
   * email and tickets portal.
   * @example "In progress"
   */
  ticket_state_external_label!: string;

  // Nullable as Intercom's ticket_type schema is (excerpt); always present here.
  ticket_type!: TicketTypeDto | null;

  contacts!: ContactListDto;

  /**
   * The id representing the admin assigned to the ticket; "0" when none.
   * @example "1295"
   */
  admin_assignee_id!: string;

  /**
   * The id representing the team assigned to the ticket; "0" when none.
   * @example "1295"
   */
  team_assignee_id!: string;

  /**
   * The time the ticket was created as a UTC Unix timestamp.
   * @example 1663597223
   */
  @ApiProperty({ type: 'integer' })
  created_at!: number;

  /**
   * The last time the ticket was updated as a UTC Unix timestamp.
   * @example 1663597260
   */
  @ApiProperty({ type: 'integer' })
  updated_at!: number;

  ticket_parts!: TicketPartListDto;

  /**
   * Whether or not the ticket is shared with the customer.
   * @example true
   */
  is_shared!: boolean;
}
