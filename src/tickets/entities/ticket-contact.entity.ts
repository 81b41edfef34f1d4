import { Column, Entity, PrimaryColumn } from 'typeorm';

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
