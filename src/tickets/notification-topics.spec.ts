import type { StateCategory } from './entities/ticket-state.entity';
import { notificationsFor, type SubscriptionView, TICKET_TOPICS } from './notification-topics';
import type { TicketStateView } from './ticket.view';
import type { LockedTicket, NewPart, UpdatePlan } from './update-plan';

const state = (id: string, category: StateCategory): TicketStateView => ({
  id,
  category,
  internalLabel: id,
  externalLabel: id,
  archived: false,
});

function ticket(category: StateCategory = 'submitted'): LockedTicket {
  const at = new Date(0);
  return {
    workspaceId: 'ws',
    id: '447',
    ticketNumber: '447',
    state: state('1', category),
    previousStateId: null,
    attributes: {},
    adminAssigneeId: null,
    teamAssigneeId: null,
    isShared: false,
    open: true,
    snoozedUntil: null,
    companyId: null,
    createdAt: at,
    updatedAt: at,
    type: {
      id: '71',
      name: 'Bug',
      description: '',
      icon: '',
      category: 'Customer',
      archived: false,
      createdAt: at,
      updatedAt: at,
      attributes: [],
      states: [],
    },
    contacts: [],
    botId: '9',
    version: '1',
    nowSeconds: 0,
  };
}

function plan(
  parts: NewPart['partType'][],
  toState?: StateCategory,
  assignedTo?: 'admin' | 'team',
): UpdatePlan {
  return {
    changes: {
      stateId: toState ? '2' : '1',
      state: toState ?? 'submitted',
      previousStateId: null,
      attributes: {},
      adminAssigneeId: null,
      teamAssigneeId: null,
      isShared: false,
      open: true,
      snoozedUntil: null,
      companyId: null,
    },
    parts: parts.map((partType) => ({
      partType,
      authorId: '9',
      ...(partType === 'assignment' ? { assignedToType: assignedTo ?? 'admin', assignedToId: '5' } : {}),
    })),
  };
}

const ALL: SubscriptionView = { id: '10', topics: [...TICKET_TOPICS], version: '2.14' };
const topicsOf = (queued: { topic: string }[]) => queued.map((n) => n.topic);

describe('notificationsFor (BEHAVIOUR.md §7)', () => {
  it('raises one topic per kind of change, in a fixed order', () => {
    const queued = notificationsFor(
      ticket(),
      plan(
        [
          'ticket_attribute_updated_by_admin',
          'ticket_attribute_updated_by_admin',
          'ticket_state_updated_by_admin',
          'assignment',
          'close',
        ],
        'in_progress',
      ),
      [ALL],
    );
    expect(queued).toEqual([
      { subscription_id: '10', topic: 'ticket.attribute.updated' },
      { subscription_id: '10', topic: 'ticket.state.updated' },
      { subscription_id: '10', topic: 'ticket.admin.assigned' },
      { subscription_id: '10', topic: 'ticket.closed' },
    ]);
  });

  it('a team assignment is ticket.team.assigned; unassigning raises nothing', () => {
    expect(topicsOf(notificationsFor(ticket(), plan(['assignment'], undefined, 'team'), [ALL]))).toEqual([
      'ticket.team.assigned',
    ]);
    const unassign = plan(['assignment']);
    unassign.parts[0].assignedToType = 'nobody_admin';
    expect(notificationsFor(ticket(), unassign, [ALL])).toEqual([]);
  });

  it('a change into resolved is ticket.resolved from 2.15, ticket.closed before (once with a close)', () => {
    const resolving = plan(['ticket_state_updated_by_admin', 'close'], 'resolved');
    const subscriptions: SubscriptionView[] = [
      { ...ALL, id: '1', version: '2.9' },
      { ...ALL, id: '2', version: '2.14' },
      { ...ALL, id: '3', version: '2.15' },
      { ...ALL, id: '4', version: 'Preview' },
    ];
    const byId = (id: string) =>
      topicsOf(notificationsFor(ticket(), resolving, subscriptions).filter((n) => n.subscription_id === id));
    expect(byId('1')).toEqual(['ticket.state.updated', 'ticket.closed']);
    expect(byId('2')).toEqual(['ticket.state.updated', 'ticket.closed']);
    expect(byId('3')).toEqual(['ticket.state.updated', 'ticket.closed', 'ticket.resolved']);
    expect(byId('4')).toEqual(['ticket.state.updated', 'ticket.closed', 'ticket.resolved']);
  });

  it('a move inside resolved, or out of it, is no resolution', () => {
    expect(
      topicsOf(
        notificationsFor(ticket('resolved'), plan(['ticket_state_updated_by_admin'], 'resolved'), [ALL]),
      ),
    ).toEqual(['ticket.state.updated']);
  });

  it('only the topics a subscription names; other changes (snooze, reopen, is_shared, company) raise none', () => {
    const onlyState: SubscriptionView = { id: '7', topics: ['ticket.state.updated'], version: '2.9' };
    expect(notificationsFor(ticket(), plan(['ticket_attribute_updated_by_admin']), [onlyState])).toEqual([]);
    expect(notificationsFor(ticket(), plan(['snoozed', 'open']), [ALL])).toEqual([]);
    expect(notificationsFor(ticket(), plan([]), [ALL])).toEqual([]);
    expect(notificationsFor(ticket(), plan(['ticket_attribute_updated_by_admin']), [])).toEqual([]);
  });
});
