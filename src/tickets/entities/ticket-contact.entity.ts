import { Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { Contact } from './contact.entity';
import { Ticket } from './ticket.entity';

@ForeignKey(() => Ticket, ['workspaceId', 'ticketId'], ['workspaceId', 'id'], {
  name: 'ticket_contacts_workspace_id_ticket_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey(() => Contact, ['workspaceId', 'contactId'], ['workspaceId', 'id'], {
  name: 'ticket_contacts_workspace_id_contact_id_fkey',
})
@Entity({ name: 'ticket_contacts' })
export class TicketContact {
  @PrimaryColumn({ name: 'workspace_id', type: 'text' })
  workspaceId!: string;

  @PrimaryColumn({ name: 'ticket_id', type: 'bigint' })
  ticketId!: string;

  @PrimaryColumn({ name: 'contact_id', type: 'text' })
  contactId!: string;

  @Column({ type: 'integer', default: 0 })
  position!: number;
}
