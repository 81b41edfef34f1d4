import type { OpenApiVersionChange } from '../../docs/openapi-versions';
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

/** The ticket routes' path in the OpenAPI document, for the changes' `document` edits. */
export const TICKET_PATH = '/tickets/{id}';

/**
 * One API version's change to the ticket endpoints, after Stripe's version changes: a small module each,
 * applied in order from 2.9 up to the requested version (versions/ticket-versions.ts), to the body we send
 * (`ticket`) and to the OpenAPI document (`document`: the schemas as Intercom describes that version, with
 * Intercom's descriptions). Requests need no body transform: BEHAVIOUR.md §6 gives every request field one
 * meaning at every version, so versions differ in what they show, and in the request each version's document
 * describes. A version whose description changes but whose bodies do not (2.11, 2.13, Preview) has a
 * document-only change. Adding a version is one new module, listed once, and its test.
 */
export type TicketVersionChange = OpenApiVersionChange & {
  /** The previous version's body in, this version's out. Pure: the view is the one internal model. */
  readonly ticket?: (body: WireTicket, view: TicketView) => WireTicket;
};
