import { ERROR_MESSAGES } from '../../common/errors/error-messages';
import { DEMO_IDS } from '../../docs/demo-ids';
import {
  editDocument,
  editResponseExamples,
  editSchema,
  removeProperties,
  setProperties,
} from '../../docs/openapi-edit';
import { errorExamples } from '../tickets.api-docs';
import { TICKET_PATH, type TicketVersionChange } from './ticket-version-change';

/**
 * 2.14, document only: Intercom's request names the performing admin and the assignee at the top level instead
 * of in `assignment`. Both shapes mean the same at every version (BEHAVIOUR.md §6); only the document changes.
 */
export const topLevelAssignment: TicketVersionChange = {
  version: '2.14',
  description: 'the request has top-level `admin_id` (an integer) and `assignee_id` instead of `assignment`',
  document: editDocument(
    editSchema(
      'update_ticket_request',
      removeProperties('assignment'),
      setProperties(
        {
          admin_id: {
            type: 'integer',
            description:
              'The ID of the admin performing ticket update. Needed for workflows execution and attributing ' +
              'actions to specific admins. (A string id is accepted too; without it, the Operator bot performs ' +
              'the update.)',
            example: Number(DEMO_IDS.admin),
          },
          assignee_id: {
            type: 'string',
            description:
              'The ID of the admin or team to which the ticket is assigned. Set this 0 to unassign it.',
            example: DEMO_IDS.otherAdmin,
          },
        },
        'optional',
      ),
    ),
    // The 404 names the field sent (BEHAVIOUR.md §6).
    editResponseExamples(TICKET_PATH, 'put', '404', (examples) => ({
      ...examples,
      ...errorExamples([
        {
          summary: 'Assignee not found',
          code: 'assignee_not_found',
          message: ERROR_MESSAGES.assigneeNotFound('12345'),
          field: 'assignee_id',
        },
      ]),
    })),
  ),
};
