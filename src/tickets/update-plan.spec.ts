import { errorOf } from '../../test/support/api-errors';
import type { StateCategory } from './entities/ticket-state.entity';
import type { TicketStateView, TicketTypeAttributeView } from './ticket.view';
import { defaultState, type LockedTicket, planUpdate, type References } from './update-plan';
import type { UpdateTicketInput } from './update-ticket.request';

const NOW = 1_800_000_000;
const BOT = '991267720';
const ADMIN = '991267719';

function state(id: string, category: StateCategory, archived = false): TicketStateView {
  return { id, category, internalLabel: `L${id}`, externalLabel: `E${id}`, archived };
}

const SUBMITTED = state('1', 'submitted');
const IN_PROGRESS = state('2', 'in_progress');
const WAITING = state('3', 'waiting_on_customer');
const RESOLVED = state('4', 'resolved');
/** A custom in_progress state with a higher id than the default one. */
const INVESTIGATING = state('7005', 'in_progress');
const ARCHIVED_RESOLVED = state('7006', 'resolved', true);
/** A state of the workspace that the ticket's type does not have. */
const OTHER_TYPES = state('7007', 'in_progress');

function attribute(id: string, name: string, overrides: Partial<TicketTypeAttributeView> = {}) {
  const at = new Date(0);
  return {
    id,
    name,
    description: '',
    dataType: 'string',
    inputOptions: null,
    order: 0,
    requiredToCreate: false,
    requiredToCreateForContacts: false,
    visibleOnCreate: true,
    visibleToContacts: true,
    isDefault: false,
    archived: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  } satisfies TicketTypeAttributeView;
}

function ticket(overrides: Partial<LockedTicket> = {}): LockedTicket {
  const at = new Date(0);
  return {
    workspaceId: 'ws',
    id: '447',
    ticketNumber: '447',
    state: SUBMITTED,
    previousStateId: null,
    attributes: { Title: 'T' },
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
      attributes: [
        attribute('208', 'Title'),
        attribute('210', 'Priority', {
          dataType: 'list',
          inputOptions: {
            list_items: [
              { id: 'hi', label: 'High' },
              { id: 'lo', label: 'Low' },
            ],
          },
        }),
        attribute('211', 'Count', { dataType: 'integer' }),
      ],
      states: [SUBMITTED, IN_PROGRESS, WAITING, RESOLVED, INVESTIGATING, ARCHIVED_RESOLVED],
    },
    contacts: [],
    botId: BOT,
    version: '3',
    nowSeconds: NOW,
    ...overrides,
  };
}

const FOUND: References = { performerExists: true, assignee: 'admin', companyExists: true };
const NONE: References = { performerExists: false, assignee: null, companyExists: false };

const plan = (input: UpdateTicketInput, refs: References = FOUND, t: LockedTicket = ticket()) =>
  planUpdate(t, input, refs);
const stateId = (id: string) => ({ ticketStateId: { id, field: 'ticket_state_id' } });
const performer = (id = ADMIN, field = 'admin_id') => ({ performer: { id, field } });
const assignee = (id: string, field = 'assignee_id') => ({ assignee: { id, field } });

function expectError(input: UpdateTicketInput, refs: References, expected: object, t = ticket()) {
  expect(errorOf(() => planUpdate(t, input, refs))).toMatchObject(expected);
}

describe('planUpdate: states (BEHAVIOUR.md §6)', () => {
  it('state moves to the type’s default state of that category: its lowest-id unarchived state', () => {
    const result = plan({ state: 'in_progress' });
    expect(result?.changes).toMatchObject({ stateId: '2', state: 'in_progress', previousStateId: '1' });
    expect(result?.parts).toEqual([
      {
        partType: 'ticket_state_updated_by_admin',
        authorId: BOT,
        ticketState: 'in_progress',
        previousTicketState: 'submitted',
      },
    ]);
  });

  it('state is a no-op when the ticket is already in that category (a custom state stays)', () => {
    expect(plan({ state: 'in_progress' }, FOUND, ticket({ state: INVESTIGATING }))).toBeNull();
  });

  it('ticket_state_id moves inside a category: a state part whose both states are the category', () => {
    const result = plan(stateId('7005'), FOUND, ticket({ state: IN_PROGRESS }));
    expect(result?.changes).toMatchObject({ stateId: '7005', state: 'in_progress', previousStateId: '2' });
    expect(result?.parts).toEqual([
      expect.objectContaining({ ticketState: 'in_progress', previousTicketState: 'in_progress' }),
    ]);
  });

  it('ticket_state_id equal to the current state is a no-op, even when that state was archived since', () => {
    expect(plan(stateId('1'))).toBeNull();
    expect(plan(stateId('7006'), FOUND, ticket({ state: ARCHIVED_RESOLVED }))).toBeNull();
  });

  it.each([
    ['an archived state', '7006'],
    ['another type’s state', OTHER_TYPES.id],
    ['an unknown id', '999'],
    ['a non-numeric id', 'abc'],
    ['zero', '0'],
  ])('ticket_state_id of %s is ticket_state_id_invalid on ticket_state_id', (_label, id) => {
    expectError(stateId(id), FOUND, {
      code: 'ticket_state_id_invalid',
      status: 400,
      field: 'ticket_state_id',
      message: 'Ticket state id is not valid or is not associated with the ticket type',
    });
  });

  it('state of a category the type has no unarchived state of is ticket_state_id_invalid on state', () => {
    const onlyArchivedResolved = ticket();
    onlyArchivedResolved.type.states = [SUBMITTED, IN_PROGRESS, WAITING, ARCHIVED_RESOLVED];
    expectError(
      { state: 'resolved' },
      FOUND,
      { code: 'ticket_state_id_invalid', field: 'state' },
      onlyArchivedResolved,
    );
  });

  it('state and ticket_state_id must agree on the category', () => {
    expectError({ state: 'resolved', ...stateId('7005') }, FOUND, {
      code: 'parameter_invalid',
      field: 'ticket_state_id',
    });
    expect(plan({ state: 'in_progress', ...stateId('7005') })?.changes.stateId).toBe('7005');
  });

  it('defaultState picks by numeric id, not text', () => {
    expect(defaultState([state('10', 'resolved'), state('9', 'resolved')], 'resolved')?.id).toBe('9');
    expect(defaultState([state('9', 'resolved', true)], 'resolved')).toBeUndefined();
  });
});

describe('planUpdate: open, close and snooze', () => {
  it('open: false closes the ticket and unsnoozes it, with a close part by the bot', () => {
    const result = plan({ open: false }, FOUND, ticket({ snoozedUntil: NOW + 60 }));
    expect(result?.changes).toMatchObject({ open: false, snoozedUntil: null });
    expect(result?.parts).toEqual([{ partType: 'close', authorId: BOT }]);
  });

  it('open: true reopens a closed ticket (an open part), and is a no-op on an open one', () => {
    expect(plan({ open: true }, FOUND, ticket({ open: false }))?.parts).toEqual([
      { partType: 'open', authorId: BOT },
    ]);
    expect(plan({ open: true })).toBeNull();
    expect(plan({ open: false }, FOUND, ticket({ open: false }))).toBeNull();
  });

  it('snoozes an open ticket, authored by the performing admin when one is named', () => {
    const result = plan({ snoozedUntil: NOW + 3600, ...performer() });
    expect(result?.changes.snoozedUntil).toBe(NOW + 3600);
    expect(result?.parts).toEqual([{ partType: 'snoozed', authorId: ADMIN }]);
    expect(plan({ snoozedUntil: NOW + 3600 }, FOUND, ticket({ snoozedUntil: NOW + 3600 }))).toBeNull();
  });

  it('open: true with a snooze reopens and snoozes a closed ticket', () => {
    expect(plan({ open: true, snoozedUntil: NOW + 60 }, FOUND, ticket({ open: false }))?.parts).toEqual([
      { partType: 'open', authorId: BOT },
      { partType: 'snoozed', authorId: BOT },
    ]);
  });

  it.each([
    ['in the past', { snoozedUntil: NOW - 1 }, ticket()],
    ['now', { snoozedUntil: NOW }, ticket()],
    ['on a closed ticket', { snoozedUntil: NOW + 60 }, ticket({ open: false })],
  ])('refuses a snooze %s on snoozed_until', (_label, input, t) => {
    expectError(input, FOUND, { code: 'parameter_invalid', field: 'snoozed_until' }, t);
  });
});

describe('planUpdate: assignment, performer and company', () => {
  it('a top-level assignee_id alone is assigned by the bot', () => {
    expect(plan(assignee(ADMIN))?.parts).toEqual([
      { partType: 'assignment', authorId: BOT, assignedToType: 'admin', assignedToId: ADMIN },
    ]);
  });

  it('the performing admin authors the assignment, close, open and snoozed parts; the bot the others', () => {
    const result = plan(
      {
        ticketAttributes: { Title: 'New' },
        state: 'resolved',
        ...performer(),
        ...assignee('814'),
        open: false,
      },
      { ...FOUND, assignee: 'team' },
    );
    expect(result?.parts.map((p) => [p.partType, p.authorId])).toEqual([
      ['ticket_attribute_updated_by_admin', BOT],
      ['ticket_state_updated_by_admin', BOT],
      ['assignment', ADMIN],
      ['close', ADMIN],
    ]);
    expect(result?.changes).toMatchObject({ teamAssigneeId: '814', adminAssigneeId: null, open: false });
  });

  it('admin_id alone changes nothing but must exist', () => {
    expect(plan(performer())).toBeNull();
    expectError(performer('5', 'admin_id'), NONE, {
      code: 'assignee_not_found',
      status: 404,
      field: 'admin_id',
    });
  });

  it('names the field that was sent in assignee_not_found', () => {
    expectError(
      { ...performer(ADMIN, 'assignment.admin_id'), ...assignee('9', 'assignment.assignee_id') },
      { ...FOUND, assignee: null },
      {
        code: 'assignee_not_found',
        field: 'assignment.assignee_id',
        message: expect.stringContaining('"9"'),
      },
    );
    expectError(assignee('9'), NONE, { code: 'assignee_not_found', field: 'assignee_id' });
    expectError(
      { ...performer('8', 'assignment.admin_id'), ...assignee('9', 'assignment.assignee_id') },
      NONE,
      { code: 'assignee_not_found', field: 'assignment.admin_id', message: expect.stringContaining('"8"') },
    );
  });

  it('sets, keeps and removes the company; an unknown one is company_not_found', () => {
    expect(plan({ companyId: 'c1' })?.changes.companyId).toBe('c1');
    expect(plan({ companyId: 'c1' }, FOUND, ticket({ companyId: 'c1' }))).toBeNull();
    expect(plan({ companyId: null }, FOUND, ticket({ companyId: 'c1' }))).toMatchObject({
      changes: { companyId: null },
      parts: [],
    });
    expect(plan({ companyId: null })).toBeNull();
    expectError({ companyId: 'c2' }, NONE, {
      code: 'company_not_found',
      status: 404,
      field: 'company_id',
      message: 'Company not found',
    });
  });

  it('reports the request’s own errors (400) before what it names that is missing (404)', () => {
    expectError({ ticketAttributes: { Nope: 1 }, ...assignee('9') }, NONE, {
      code: 'parameter_invalid',
      field: 'ticket_attributes',
    });
    expectError({ state: 'resolved', ...stateId('7005'), companyId: 'x' }, NONE, {
      code: 'parameter_invalid',
    });
  });
});

describe('planUpdate: attribute parts carry what changed (2.14)', () => {
  it('a list value as its item id and label, others as text, a cleared one as null and ""', () => {
    const result = plan({ ticketAttributes: { Priority: 'lo', Count: 7, Title: null } });
    expect(result?.parts.map((p) => p.updatedAttributeData)).toEqual([
      { attribute: { id: '210', label: 'Priority' }, value: { id: 'lo', label: 'Low' } },
      { attribute: { id: '211', label: 'Count' }, value: { id: '7', label: '7' } },
      { attribute: { id: '208', label: 'Title' }, value: { id: null, label: '' } },
    ]);
    expect(result?.changes.attributes).toEqual({ Priority: 'Low', Count: 7 });
  });
});
