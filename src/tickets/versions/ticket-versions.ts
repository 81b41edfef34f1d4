import { API_VERSIONS, type ApiVersion, atLeast } from '../../common/versioning/versions';
import { previewTranslations } from './preview-translations';
import type { TicketVersionChange } from './ticket-version-change';
import { categoryOpenSnooze } from './v2-10-category-open-snooze';
import { requiredAndNullability } from './v2-11-required-and-nullability';
import { ticketStateObjects } from './v2-12-ticket-state-objects';
import { skipNotificationsAppPackage } from './v2-13-skip-notifications-app-package';
import { updatedAttributeData } from './v2-14-updated-attribute-data';
import { topLevelAssignment } from './v2-14-top-level-assignment';
import { integerAssigneesPreviousState } from './v2-16-integer-assignees';

/**
 * Every change to the ticket endpoints after 2.9, oldest first. 2.11, 2.13, 2.14's top-level assignment and
 * Preview change only the document (what Intercom describes, not what we send); 2.15 changes neither.
 */
export const TICKET_VERSION_CHANGES: readonly TicketVersionChange[] = [
  categoryOpenSnooze,
  requiredAndNullability,
  ticketStateObjects,
  skipNotificationsAppPackage,
  updatedAttributeData,
  topLevelAssignment,
  integerAssigneesPreviousState,
  previewTranslations,
];

type TicketTransform = NonNullable<TicketVersionChange['ticket']>;

/** The body transforms a version applies on top of 2.9, worked out once per version. */
const TRANSFORMS_BY_VERSION = new Map<ApiVersion, readonly TicketTransform[]>(
  API_VERSIONS.map((version) => [
    version,
    TICKET_VERSION_CHANGES.filter((change) => atLeast(version, change.version)).flatMap((change) =>
      change.ticket ? [change.ticket] : [],
    ),
  ]),
);

export function ticketTransformsFor(version: ApiVersion): readonly TicketTransform[] {
  return TRANSFORMS_BY_VERSION.get(version) ?? [];
}
