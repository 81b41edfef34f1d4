import { editSchema, setProperties } from '../../docs/openapi-edit';
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
  // Intercom's 2.16 description.
  document: editSchema(
    'ticket',
    setProperties(
      {
        admin_assignee_id: {
          type: 'integer',
          description:
            "The id representing the admin assigned to the ticket. If it's not assigned to an admin it will return 0.",
          example: 1295,
        },
        team_assignee_id: {
          type: 'integer',
          description:
            "The id representing the team assigned to the ticket. If it's not assigned to a team it will return 0.",
          example: 1295,
        },
        previous_ticket_state_id: {
          type: 'string',
          nullable: true,
          description:
            'The ID of the previous ticket state from the most recent state change. Returns null if no state ' +
            'change history exists. Useful for tracking state transitions for reporting and compliance.',
          example: '7493',
        },
      },
      'always',
    ),
  ),
};
