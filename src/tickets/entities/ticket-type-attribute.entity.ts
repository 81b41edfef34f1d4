import { Check, Column, Entity, ForeignKey, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { TicketType } from './ticket-type.entity';

export const DATA_TYPES = ['string', 'list', 'integer', 'decimal', 'boolean', 'datetime', 'files'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export type ListItem = { id: string; label: string; archived?: boolean };
export type InputOptions = { list_items?: ListItem[]; [option: string]: unknown };

@ForeignKey(() => TicketType, ['workspaceId', 'ticketTypeId'], ['workspaceId', 'id'], {
  name: 'ticket_type_attributes_workspace_id_ticket_type_id_fkey',
  onDelete: 'CASCADE',
})
@Unique('ticket_type_attributes_workspace_id_ticket_type_id_name_key', [
  'workspaceId',
  'ticketTypeId',
  'name',
])
@Check(
  'ticket_type_attributes_data_type_check',
  `data_type IN (${DATA_TYPES.map((type) => `'${type}'`).join(', ')})`,
)
@Entity({ name: 'ticket_type_attributes' })
export class TicketTypeAttribute {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ name: 'ticket_type_id', type: 'bigint' })
  ticketTypeId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ name: 'data_type', type: 'text' })
  dataType!: DataType;

  @Column({ name: 'input_options', type: 'jsonb', nullable: true })
  inputOptions!: InputOptions | null;

  @Column({ name: 'sort_order', type: 'integer', default: 0 })
  order!: number;

  @Column({ name: 'required_to_create', type: 'boolean', default: false })
  requiredToCreate!: boolean;

  @Column({ name: 'required_to_create_for_contacts', type: 'boolean', default: false })
  requiredToCreateForContacts!: boolean;

  @Column({ name: 'visible_on_create', type: 'boolean', default: true })
  visibleOnCreate!: boolean;

  @Column({ name: 'visible_to_contacts', type: 'boolean', default: true })
  visibleToContacts!: boolean;

  @Column({ name: 'is_default', type: 'boolean', default: false })
  isDefault!: boolean;

  @Column({ type: 'boolean', default: false })
  archived!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
