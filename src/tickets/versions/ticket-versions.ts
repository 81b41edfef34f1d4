import { API_VERSIONS, type ApiVersion, atLeast } from '../../common/versioning/versions';
import type { TicketVersionChange } from './ticket-version-change';
import { categoryOpenSnooze } from './v2-10-category-open-snooze';
import { ticketStateObjects } from './v2-12-ticket-state-objects';
import { updatedAttributeData } from './v2-14-updated-attribute-data';
import { integerAssigneesPreviousState } from './v2-16-integer-assignees';

/**
 * Every change to the ticket body after 2.9, oldest first. Versions not listed (2.11, 2.13, 2.15, Preview) show a
 * ticket exactly as the version before them does (README "Versions" says why for each).
 */
export const TICKET_VERSION_CHANGES: readonly TicketVersionChange[] = [
  categoryOpenSnooze,
  ticketStateObjects,
  updatedAttributeData,
  integerAssigneesPreviousState,
];

/** The changes a version applies on top of 2.9, worked out once per version. */
const CHANGES_BY_VERSION = new Map<ApiVersion, readonly TicketVersionChange[]>(
  API_VERSIONS.map((version) => [
    version,
    TICKET_VERSION_CHANGES.filter((change) => atLeast(version, change.version)),
  ]),
);

export function ticketChangesFor(version: ApiVersion): readonly TicketVersionChange[] {
  return CHANGES_BY_VERSION.get(version) ?? [];
}
