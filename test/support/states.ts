import type { Snapshot } from '../../src/import/snapshot.types';
import { standardSnapshot } from './factories';

/** Ids of the states of statesSnapshot (BEHAVIOUR.md §6). */
export const STATES = {
  submitted: '7001',
  inProgress: '7002',
  waiting: '7003',
  resolved: '7004',
  /** Custom in_progress state of the Bug type, with a higher id than the default one. */
  investigating: '7005',
  /** Archived resolved state of the Bug type. */
  archived: '7006',
  /** A custom in_progress state of the Wide type only. */
  wideOnly: '7007',
} as const;

/** Intercom's id of the company of statesSnapshot. */
export const COMPANY = '6657add46abd0167d9419cd2';

/** The standard workspace with explicit default states, custom states and a company. */
export function statesSnapshot(workspaceId: string): Snapshot {
  const snapshot = standardSnapshot(workspaceId);
  snapshot.ticket_states = [
    { id: STATES.submitted, category: 'submitted', internal_label: 'Submitted', external_label: 'Submitted' },
    {
      id: STATES.inProgress,
      category: 'in_progress',
      internal_label: 'In progress',
      external_label: 'In progress',
    },
    {
      id: STATES.waiting,
      category: 'waiting_on_customer',
      internal_label: 'Waiting on customer',
      external_label: 'Waiting on you',
    },
    { id: STATES.resolved, category: 'resolved', internal_label: 'Resolved', external_label: 'Resolved' },
    {
      id: STATES.investigating,
      category: 'in_progress',
      internal_label: 'Investigating',
      external_label: 'Looking into it',
    },
    {
      id: STATES.archived,
      category: 'resolved',
      internal_label: 'Old',
      external_label: 'Old',
      archived: true,
    },
    { id: STATES.wideOnly, category: 'in_progress', internal_label: 'Wide work', external_label: 'Working' },
  ];
  snapshot.companies = [{ id: COMPANY, company_id: 'acme-1', name: 'Acme' }];
  const [bug, wide] = snapshot.ticket_types!;
  bug.category = 'Back-office';
  bug.ticket_state_ids = [
    STATES.submitted,
    STATES.inProgress,
    STATES.waiting,
    STATES.resolved,
    STATES.investigating,
    STATES.archived,
  ];
  wide.ticket_state_ids = [
    STATES.submitted,
    STATES.inProgress,
    STATES.waiting,
    STATES.resolved,
    STATES.wideOnly,
  ];
  return snapshot;
}
