import { editSchema, setProperties } from '../../docs/openapi-edit';
import type { TicketVersionChange } from './ticket-version-change';

/**
 * Preview, document only: Intercom's description adds `translations` to parts (a reply's text by locale), which
 * this service never sends: it models no replies, hence no translations (BEHAVIOUR.md §6 lists Preview's body as
 * 2.16's).
 */
export const previewTranslations: TicketVersionChange = {
  version: 'Preview',
  description: '`translations` on parts (never sent: replies are not modelled)',
  // Intercom's Preview description.
  document: editSchema(
    'ticket_part',
    setProperties(
      {
        translations: {
          type: 'object',
          nullable: true,
          description:
            'A map of the reply text keyed by locale code. Only present on the Preview API version and backs the ' +
            '`ticket.admin.replied.translated` webhook topic. The special `original` key holds the source locale ' +
            'code of the reply; every other key is a locale code whose value is the reply text translated into ' +
            'that locale, as HTML in the same format as `body`. The `body` field is unchanged and always stays in ' +
            'the original source language. Available in the Preview API version only (set `Intercom-Version: ' +
            'Preview`). This service never shows it: it models no replies.',
          required: ['original'],
          additionalProperties: { type: 'string' },
          example: { original: 'en', en: '<p>Hello</p>', fr: '<p>Bonjour</p>' },
        },
      },
      'optional',
    ),
  ),
};
