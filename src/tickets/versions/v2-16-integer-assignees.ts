import type { TicketVersionChange } from './ticket-version-change';

/**
 * 2.16: assignee ids are integers (0 when unassigned) and the ticket names its previous state. Ids are bigints in
 * the database; every id the service or the import creates is a safe integer, so Number() is exact.
 */
export const integerAssigneesPreviousState: TicketVersionChange = {
  version: '2.16',
  description:
    '`admin_assignee_id` / `team_assignee_id` are integers (0 when unassigned); `previous_ticket_state_id` (the ' +
    'state before the latest state change, null when none)',
  ticket: (body, view) => ({
    ...body,
    admin_assignee_id: Number(view.adminAssigneeId ?? 0),
    team_assignee_id: Number(view.teamAssigneeId ?? 0),
    previous_ticket_state_id: view.previousStateId,
  }),
};
