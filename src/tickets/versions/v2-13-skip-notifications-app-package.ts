import { editDocument, editRequestSchema, editSchema, setProperties } from '../../docs/openapi-edit';
import { TICKET_PATH, type TicketVersionChange } from './ticket-version-change';

/**
 * 2.13, document only: Intercom's description adds `app_package_code` to parts, which this service never sends
 * (no app packages are modelled, BEHAVIOUR.md §6), and `skip_notifications` to the request, which every version
 * accepts (BEHAVIOUR.md §6). As in Intercom's description, the request is the 2.12 one plus that field.
 */
export const skipNotificationsAppPackage: TicketVersionChange = {
  version: '2.13',
  description:
    '`skip_notifications` in the request; `app_package_code` on parts (never sent: no app packages)',
  document: editDocument(
    editSchema(
      'ticket_part',
      setProperties(
        {
          app_package_code: {
            type: 'string',
            description:
              "The app package code if this part was created via API. Note this field won't show if the part was " +
              'not created via API. This service never shows it: it models no app packages.',
            example: 'text-integration',
          },
        },
        'optional',
      ),
    ),
    editRequestSchema(TICKET_PATH, 'put', (schema) => ({
      allOf: [schema],
      properties: {
        skip_notifications: {
          type: 'boolean',
          description:
            'Option to disable notifications when a Ticket is updated. Recorded in the audit row; no webhook ' +
            'notification is raised for the update.',
          example: true,
        },
      },
    })),
  ),
};
