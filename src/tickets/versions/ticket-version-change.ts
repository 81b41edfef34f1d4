import type { ApiVersion } from '../../common/versioning/versions';
import type { TicketView } from '../ticket.view';

/**
 * A ticket body on its way from the 2.9 shape to the requested version's: each change takes the previous
 * version's body and returns its own version's. The exact fields of each version are checked against Intercom's
 * descriptions in test/versions.e2e-spec.ts and test/openapi.e2e-spec.ts; the type only names what the changes
 * themselves touch.
 */
export type WireTicket = {
  readonly [field: string]: unknown;
  readonly ticket_type: { readonly [field: string]: unknown };
  readonly ticket_parts: {
    readonly type: 'ticket_part.list';
    readonly ticket_parts: readonly WirePart[];
    readonly total_count: number;
  };
};

export type WirePart = { readonly [field: string]: unknown; readonly part_type: string };

/**
 * One API version's change to what a ticket looks like, after Stripe's version changes: a small module each,
 * applied in order from 2.9 up to the requested version (versions/ticket-versions.ts). Requests need none:
 * BEHAVIOUR.md §6 gives every request field one meaning at every version, so versions differ only in what
 * they show. Adding a version that changes the ticket is one new module, listed once, and its test.
 */
export type TicketVersionChange = {
  /** The first version with this change. */
  readonly version: ApiVersion;
  /** What a client of this version sees differently, in a line (README "Versions"). */
  readonly description: string;
  /** The previous version's body in, this version's out. Pure: the view is the one internal model. */
  readonly ticket: (body: WireTicket, view: TicketView) => WireTicket;
};
