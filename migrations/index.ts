import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { Reliability1764100000000 } from './1764100000000-reliability';
import { TicketStates1764200000000 } from './1764200000000-ticket-states';
import { Webhooks1764300000000 } from './1764300000000-webhooks';

/** Listed explicitly so the compiled app, the CLI and ts-jest all load the same migrations. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  Reliability1764100000000,
  TicketStates1764200000000,
  Webhooks1764300000000,
];
