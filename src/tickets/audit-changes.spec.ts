import type { AttributeValue } from './entities/ticket.entity';
import { auditChanges, type LockedTicket, type TicketChanges } from './update-plan';

const SUBMITTED = {
  id: '1',
  category: 'submitted',
  internalLabel: 'Submitted',
  externalLabel: 'Submitted',
  archived: false,
} as const;

const json = (text: string) => JSON.parse(text) as Record<string, AttributeValue>;

function locked(attributes: Record<string, AttributeValue>): LockedTicket {
  const at = new Date(1_717_021_671_000);
  return {
    workspaceId: 'ws_1',
    id: '447',
    ticketNumber: '447',
    state: SUBMITTED,
    previousStateId: null,
    open: true,
    snoozedUntil: null,
    companyId: null,
    attributes,
    adminAssigneeId: null,
    teamAssigneeId: null,
    isShared: false,
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
      states: [SUBMITTED],
    },
    contacts: [],
    botId: '991267720',
    version: '1',
    nowSeconds: 1_717_021_700,
  };
}

function next(ticket: LockedTicket, attributes: Record<string, AttributeValue>): TicketChanges {
  return {
    stateId: ticket.state.id,
    state: ticket.state.category,
    previousStateId: null,
    attributes,
    adminAssigneeId: null,
    teamAssigneeId: null,
    isShared: false,
    open: true,
    snoozedUntil: null,
    companyId: null,
  };
}

describe('auditChanges: attribute names are data', () => {
  const ALL = '{"__proto__":"p","constructor":"c","toString":1,"hasOwnProperty":true}';

  it('records a set of each internal name with before null', () => {
    const ticket = locked({});
    expect(auditChanges(ticket, next(ticket, json(ALL)))).toEqual(
      json(`{
        "ticket_attributes.__proto__": {"before": null, "after": "p"},
        "ticket_attributes.constructor": {"before": null, "after": "c"},
        "ticket_attributes.toString": {"before": null, "after": 1},
        "ticket_attributes.hasOwnProperty": {"before": null, "after": true}
      }`),
    );
  });

  it('records a clear of each internal name with after null, and survives JSON (no key dropped)', () => {
    const ticket = locked(json(ALL));
    const changes = auditChanges(ticket, next(ticket, {}));
    expect(JSON.parse(JSON.stringify(changes))).toEqual({
      'ticket_attributes.__proto__': { before: 'p', after: null },
      'ticket_attributes.constructor': { before: 'c', after: null },
      'ticket_attributes.toString': { before: 1, after: null },
      'ticket_attributes.hasOwnProperty': { before: true, after: null },
    });
  });

  it('records a change, and nothing for an unchanged internal name', () => {
    const ticket = locked(json(ALL));
    const after = json('{"__proto__":"p2","constructor":"c","toString":1,"hasOwnProperty":false}');
    expect(auditChanges(ticket, next(ticket, after))).toEqual({
      'ticket_attributes.__proto__': { before: 'p', after: 'p2' },
      'ticket_attributes.hasOwnProperty': { before: true, after: false },
    });
  });
});
