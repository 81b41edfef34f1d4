import { AccessToken } from './auth/entities/access-token.entity';
import { AuditEntry } from './tickets/entities/audit-entry.entity';
import { Contact } from './tickets/entities/contact.entity';
import { IdempotencyKey } from './tickets/entities/idempotency-key.entity';
import { TicketContact } from './tickets/entities/ticket-contact.entity';
import { TicketPart } from './tickets/entities/ticket-part.entity';
import { TicketState } from './tickets/entities/ticket-state.entity';
import { TicketTypeAttribute } from './tickets/entities/ticket-type-attribute.entity';
import { TicketTypeState } from './tickets/entities/ticket-type-state.entity';
import { TicketType } from './tickets/entities/ticket-type.entity';
import { Ticket } from './tickets/entities/ticket.entity';
import { WebhookDelivery } from './webhooks/entities/webhook-delivery.entity';
import { WebhookEvent } from './webhooks/entities/webhook-event.entity';
import { WebhookSubscription } from './webhooks/entities/webhook-subscription.entity';
import { Admin } from './workspaces/entities/admin.entity';
import { Company } from './workspaces/entities/company.entity';
import { Team } from './workspaces/entities/team.entity';
import { Workspace } from './workspaces/entities/workspace.entity';

/**
 * Every entity, listed where the application is assembled rather than in database/: the features import
 * database/ (prepared statements, error classification), so database/ must not import them back
 * (src/folder-imports.spec.ts). Whoever opens a data source passes this list to database/data-source.ts.
 */
export const ENTITIES = [
  Workspace,
  Admin,
  Team,
  Company,
  Contact,
  TicketState,
  TicketType,
  TicketTypeAttribute,
  TicketTypeState,
  Ticket,
  TicketContact,
  TicketPart,
  AccessToken,
  IdempotencyKey,
  AuditEntry,
  WebhookSubscription,
  WebhookEvent,
  WebhookDelivery,
];
