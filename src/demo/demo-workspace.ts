import type { Snapshot } from '../import/snapshot.types';

export const DEMO_WORKSPACE_ID = 'demo';

const T0 = 1_717_021_671;

/** The demo workspace loaded on first start: two ticket types covering every data_type but files. */
export const DEMO_SNAPSHOT: Snapshot = {
  workspace: { id: DEMO_WORKSPACE_ID, name: 'Demo Inc.', default_intercom_version: '2.9' },
  admins: [
    { id: '991267719', name: 'Ann Admin', email: 'ann@demo.test' },
    { id: '991267721', name: 'Bob Builder', email: 'bob@demo.test' },
    { id: '991267720', type: 'bot', name: 'Operator', email: 'operator+demo@intercom.io' },
  ],
  teams: [{ id: '814', name: 'Billing', admin_ids: ['991267719', '991267721'] }],
  contacts: [
    { id: '6657abe76abd0164c24b0df3', external_id: 'u-1', role: 'user', email: 'carla@customer.test' },
    { id: '6657abe76abd0164c24b0df4', external_id: null, role: 'lead', email: 'dan@customer.test' },
  ],
  ticket_types: [
    {
      id: '71',
      name: 'Bug',
      description: 'A bug that has been reported.',
      icon: '🐞',
      created_at: T0,
      updated_at: T0,
      ticket_type_attributes: [
        { id: '208', name: '_default_title_', description: 'Title', data_type: 'string', input_options: { multiline: false }, order: 0, required_to_create: true, visible_to_contacts: true, default: true, created_at: T0, updated_at: T0 },
        { id: '209', name: '_default_description_', description: 'Description', data_type: 'string', input_options: { multiline: true }, order: 1, default: true, created_at: T0, updated_at: T0 },
        { id: '210', name: 'Priority', data_type: 'list', order: 2, created_at: T0, updated_at: T0,
          input_options: { list_items: [
            { id: 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91', label: 'High', archived: false },
            { id: 'c2a1d8f3-3d4b-4e7f-8c2b-1a7d3e8f9b02', label: 'Medium', archived: false },
            { id: 'd3b2e9a4-4e5c-4f80-9d3c-2b8e4f9a0c13', label: 'Low', archived: false },
          ] } },
        { id: '211', name: 'Affected users', data_type: 'integer', order: 3, created_at: T0, updated_at: T0 },
        { id: '212', name: 'Reproducible', data_type: 'boolean', order: 4, created_at: T0, updated_at: T0 },
      ],
    },
    {
      id: '72',
      name: 'Refund',
      description: 'A customer asks for money back.',
      icon: '💸',
      created_at: T0,
      updated_at: T0,
      ticket_type_attributes: [
        { id: '220', name: '_default_title_', description: 'Title', data_type: 'string', order: 0, required_to_create: true, default: true, created_at: T0, updated_at: T0 },
        { id: '221', name: '_default_description_', description: 'Description', data_type: 'string', order: 1, default: true, created_at: T0, updated_at: T0 },
        { id: '222', name: 'Amount', data_type: 'decimal', order: 2, created_at: T0, updated_at: T0 },
        { id: '223', name: 'Purchased at', data_type: 'datetime', order: 3, created_at: T0, updated_at: T0 },
        { id: '224', name: 'Legacy reason', data_type: 'string', order: 4, archived: true, created_at: T0, updated_at: T0 },
      ],
    },
  ],
  tickets: [
    {
      id: '447', ticket_id: '1390', ticket_type_id: '71', ticket_state: 'submitted',
      ticket_attributes: { _default_title_: 'Login fails', _default_description_: 'The button does nothing', Priority: 'High' },
      contact_ids: ['6657abe76abd0164c24b0df3'], is_shared: true, created_at: T0 + 1, updated_at: T0 + 60,
      ticket_parts: [
        { id: '100', part_type: 'comment', body: '<p>It fails every time</p>', author: { type: 'admin', id: '991267719' }, created_at: T0 + 60, updated_at: T0 + 60 },
      ],
    },
    {
      id: '448', ticket_id: '1391', ticket_type_id: '72', ticket_state: 'in_progress',
      ticket_attributes: { _default_title_: 'Double charge', Amount: 49.99, 'Purchased at': T0 - 86_400 },
      contact_ids: ['6657abe76abd0164c24b0df4'], admin_assignee_id: '991267721', team_assignee_id: '814',
      created_at: T0 + 2, updated_at: T0 + 120,
      ticket_parts: [
        { id: '101', part_type: 'assignment', author: { type: 'admin', id: '991267719' }, assigned_to: { type: 'admin', id: '991267721' }, created_at: T0 + 120, updated_at: T0 + 120 },
      ],
    },
    {
      id: '449', ticket_id: '1392', ticket_type_id: '71', ticket_state: 'waiting_on_customer',
      ticket_attributes: { _default_title_: 'Export is slow', Priority: 'Low', Reproducible: true, 'Affected users': 3 },
      contact_ids: ['6657abe76abd0164c24b0df3', '6657abe76abd0164c24b0df4'], created_at: T0 + 3, updated_at: T0 + 3,
    },
  ],
};
