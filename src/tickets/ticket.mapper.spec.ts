import { DEFAULT_STATE_LABELS, type StateCategory } from './entities/ticket-state.entity';
import { toTicket29, toTicketResponse, unixSeconds } from './ticket.mapper';
import type { TicketPartView, TicketStateView, TicketTypeAttributeView, TicketView } from './ticket.view';

const T0 = 1_717_021_671;
const at = (seconds: number, ms = 0) => new Date(seconds * 1000 + ms);

const BOT = { id: '991267720', type: 'bot' as const, name: 'Operator', email: 'operator+ws_1@intercom.io' };
const ADMIN = { id: '991267719', type: 'admin' as const, name: 'Ann Admin', email: 'ann@test.example' };

function attribute(overrides: Partial<TicketTypeAttributeView> = {}): TicketTypeAttributeView {
  return {
    id: '208',
    name: '_default_title_',
    description: 'Title',
    dataType: 'string',
    inputOptions: null,
    order: 0,
    requiredToCreate: true,
    requiredToCreateForContacts: false,
    visibleOnCreate: true,
    visibleToContacts: true,
    isDefault: true,
    archived: false,
    createdAt: at(T0, 999),
    updatedAt: at(T0 + 1, 500),
    ...overrides,
  };
}

function part(overrides: Partial<TicketPartView> = {}): TicketPartView {
  return {
    id: '100',
    partType: 'comment',
    body: '<p>It fails</p>',
    ticketState: null,
    previousTicketState: null,
    assignedToType: null,
    assignedToId: null,
    attachments: [],
    externalId: null,
    redacted: false,
    updatedAttributeData: null,
    createdAtUnix: T0 + 60,
    updatedAtUnix: T0 + 60,
    author: ADMIN,
    ...overrides,
  };
}

const LIST_OPTIONS = { list_items: [{ id: 'a1', label: 'High', archived: false }] };

/** A default state of a category, as a migrated or freshly imported workspace has them (ids 1–4). */
function defaultState(category: StateCategory): TicketStateView {
  const id = String(['submitted', 'in_progress', 'waiting_on_customer', 'resolved'].indexOf(category) + 1);
  const labels = DEFAULT_STATE_LABELS[category];
  return { id, category, internalLabel: labels.internal, externalLabel: labels.external, archived: false };
}

const CUSTOM = {
  id: '7005',
  category: 'in_progress',
  internalLabel: 'Investigating',
  externalLabel: 'Looking into it',
  archived: false,
} as const satisfies TicketStateView;
const ARCHIVED = {
  ...CUSTOM,
  id: '7006',
  internalLabel: 'Old',
  archived: true,
} as const satisfies TicketStateView;

function view(overrides: Partial<TicketView> = {}): TicketView {
  return {
    workspaceId: 'ws_1',
    id: '447',
    ticketNumber: '1390',
    state: defaultState('submitted'),
    previousStateId: null,
    open: true,
    snoozedUntil: null,
    companyId: null,
    attributes: { _default_title_: 'Login fails', Priority: 'High' },
    adminAssigneeId: null,
    teamAssigneeId: null,
    isShared: true,
    createdAt: at(T0 + 1, 999),
    updatedAt: at(T0 + 60, 1),
    type: {
      id: '71',
      name: 'Bug',
      description: 'A bug',
      icon: '🐞',
      category: 'Back-office',
      archived: false,
      createdAt: at(T0),
      updatedAt: at(T0, 750),
      states: [
        defaultState('submitted'),
        defaultState('in_progress'),
        defaultState('waiting_on_customer'),
        defaultState('resolved'),
        CUSTOM,
        ARCHIVED,
      ],
      attributes: [
        attribute(),
        attribute({ id: '210', name: 'Priority', dataType: 'list', inputOptions: LIST_OPTIONS, order: 2 }),
        attribute({ id: '216', name: 'Legacy code', order: 8, archived: true, isDefault: false }),
      ],
    },
    contacts: [
      { id: '6657abe76abd0164c24b0df3', externalId: 'u-1' },
      { id: 'c2', externalId: null },
    ],
    parts: [part()],
    totalParts: 1,
    ...overrides,
  };
}

const TICKET_KEYS = [
  'admin_assignee_id',
  'contacts',
  'created_at',
  'id',
  'is_shared',
  'team_assignee_id',
  'ticket_attributes',
  'ticket_id',
  'ticket_parts',
  'ticket_state',
  'ticket_state_external_label',
  'ticket_state_internal_label',
  'ticket_type',
  'type',
  'updated_at',
];

const COMMON_PART_KEYS = [
  'attachments',
  'author',
  'body',
  'created_at',
  'external_id',
  'id',
  'part_type',
  'redacted',
  'type',
  'updated_at',
];

const sorted = (keys: string[]) => [...keys].sort();

describe('toTicketResponse (2.9)', () => {
  it('has every ticket field of the reference page, and no other', () => {
    expect(Object.keys(toTicket29(view())).sort()).toEqual(sorted(TICKET_KEYS));
  });

  it('maps the ticket fields', () => {
    expect(toTicket29(view())).toMatchObject({
      type: 'ticket',
      id: '447',
      ticket_id: '1390',
      ticket_attributes: { _default_title_: 'Login fails', Priority: 'High' },
      ticket_state: 'submitted',
      is_shared: true,
      contacts: {
        type: 'contact.list',
        contacts: [
          { type: 'contact', id: '6657abe76abd0164c24b0df3', external_id: 'u-1' },
          { type: 'contact', id: 'c2', external_id: null },
        ],
      },
    });
  });

  const labels: [StateCategory, string, string][] = [
    ['submitted', 'Submitted', 'Submitted'],
    ['in_progress', 'In progress', 'In progress'],
    ['waiting_on_customer', 'Waiting on customer', 'Waiting on you'],
    ['resolved', 'Resolved', 'Resolved'],
  ];
  it.each(labels)('labels %s as %s (internal) / %s (external)', (state, internal, external) => {
    expect(toTicket29(view({ state: defaultState(state) }))).toMatchObject({
      ticket_state: state,
      ticket_state_internal_label: internal,
      ticket_state_external_label: external,
    });
  });

  it('shows "0" for an unassigned admin or team, the id otherwise', () => {
    expect(toTicket29(view())).toMatchObject({ admin_assignee_id: '0', team_assignee_id: '0' });
    expect(toTicket29(view({ adminAssigneeId: '991267719', teamAssigneeId: null }))).toMatchObject({
      admin_assignee_id: '991267719',
      team_assignee_id: '0',
    });
    expect(toTicket29(view({ adminAssigneeId: null, teamAssigneeId: '814' }))).toMatchObject({
      admin_assignee_id: '0',
      team_assignee_id: '814',
    });
  });

  it('writes timestamps as integer unix seconds, floored', () => {
    const res = toTicket29(view());
    expect(res.created_at).toBe(T0 + 1);
    expect(res.updated_at).toBe(T0 + 60);
    expect(res.ticket_type.created_at).toBe(T0);
    expect(res.ticket_type.updated_at).toBe(T0);
    const first = res.ticket_type.ticket_type_attributes.ticket_type_attributes[0];
    expect([first.created_at, first.updated_at]).toEqual([T0, T0 + 1]);
  });

  it('maps the ticket type with all its attributes, archived ones included, in the given order', () => {
    const { ticket_type } = toTicket29(view());
    expect(ticket_type).toMatchObject({
      type: 'ticket_type',
      id: '71',
      name: 'Bug',
      description: 'A bug',
      icon: '🐞',
      workspace_id: 'ws_1',
      archived: false,
    });
    expect(ticket_type.ticket_type_attributes.type).toBe('ticket_type_attributes.list');
    const attributes = ticket_type.ticket_type_attributes.ticket_type_attributes;
    expect(attributes.map((a) => [a.name, a.archived])).toEqual([
      ['_default_title_', false],
      ['Priority', false],
      ['Legacy code', true],
    ]);
    expect(attributes[0]).toEqual({
      type: 'ticket_type_attribute',
      id: '208',
      workspace_id: 'ws_1',
      name: '_default_title_',
      description: 'Title',
      data_type: 'string',
      input_options: {},
      order: 0,
      required_to_create: true,
      required_to_create_for_contacts: false,
      visible_on_create: true,
      visible_to_contacts: true,
      default: true,
      ticket_type_id: 71,
      archived: false,
      created_at: T0,
      updated_at: T0 + 1,
    });
  });

  it('gives ticket_type_id as an integer and input_options as stored when set', () => {
    const attributes = toTicket29(view()).ticket_type.ticket_type_attributes.ticket_type_attributes;
    expect(attributes.map((a) => a.ticket_type_id)).toEqual([71, 71, 71]);
    expect(attributes[1].input_options).toEqual(LIST_OPTIONS);
  });

  it('renders attributes named like JavaScript internals as ordinary keys', () => {
    const attributes = JSON.parse('{"__proto__":"p","constructor":"c","toString":1,"hasOwnProperty":true}');
    const rendered = JSON.parse(JSON.stringify(toTicket29(view({ attributes })))) as {
      ticket_attributes: Record<string, unknown>;
    };
    expect(Object.entries(rendered.ticket_attributes)).toEqual([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['toString', 1],
      ['hasOwnProperty', true],
    ]);
  });

  it('shows a custom state as its category with its own labels (BEHAVIOUR.md §6)', () => {
    expect(toTicket29(view({ state: CUSTOM }))).toMatchObject({
      ticket_state: 'in_progress',
      ticket_state_internal_label: 'Investigating',
      ticket_state_external_label: 'Looking into it',
    });
  });

  it('is what toTicketResponse answers at 2.9 (and at any version before it)', () => {
    const ticket = view({ state: CUSTOM, adminAssigneeId: '991267719' });
    expect(toTicketResponse(ticket, '2.9')).toEqual(toTicket29(ticket));
    expect(toTicketResponse(ticket, '2.0')).toEqual(toTicket29(ticket));
  });
});

describe('toTicketResponse (2.9) ticket parts', () => {
  const statePart = part({
    id: '101',
    partType: 'ticket_state_updated_by_admin',
    body: null,
    ticketState: 'resolved',
    previousTicketState: 'submitted',
    createdAtUnix: T0 + 90,
    updatedAtUnix: T0 + 90,
    author: BOT,
  });
  const attributePart = part({
    id: '102',
    partType: 'ticket_attribute_updated_by_admin',
    body: null,
    author: BOT,
  });
  const toTeam = part({
    id: '103',
    partType: 'assignment',
    body: null,
    assignedToType: 'team',
    assignedToId: '814',
  });
  const toNobody = part({ id: '104', partType: 'assignment', body: null, assignedToType: 'nobody_admin' });
  const untyped = part({ id: '105', partType: 'assignment', body: null, assignedToType: null });

  function mapped(...parts: TicketPartView[]) {
    return toTicket29(view({ parts, totalParts: 742 })).ticket_parts;
  }

  it('wraps the parts in a ticket_part.list with the total count', () => {
    const list = mapped(part(), statePart);
    expect(list.type).toBe('ticket_part.list');
    expect(list.total_count).toBe(742);
    expect(list.ticket_parts.map((p) => p.id)).toEqual(['100', '101']);
  });

  it('maps every common key, and no state or assignment keys, on other parts', () => {
    const [comment, attr] = mapped(part(), attributePart).ticket_parts;
    expect(comment).toEqual({
      type: 'ticket_part',
      id: '100',
      part_type: 'comment',
      body: '<p>It fails</p>',
      created_at: T0 + 60,
      updated_at: T0 + 60,
      author: { type: 'admin', id: ADMIN.id, name: 'Ann Admin', email: 'ann@test.example' },
      attachments: [],
      external_id: null,
      redacted: false,
    });
    expect(Object.keys(attr).sort()).toEqual(sorted(COMMON_PART_KEYS));
  });

  it('adds ticket_state and previous_ticket_state to state parts only', () => {
    const [state] = mapped(statePart).ticket_parts;
    expect(Object.keys(state).sort()).toEqual(
      sorted([...COMMON_PART_KEYS, 'ticket_state', 'previous_ticket_state']),
    );
    expect(state).toMatchObject({
      ticket_state: 'resolved',
      previous_ticket_state: 'submitted',
      body: null,
      created_at: T0 + 90,
      updated_at: T0 + 90,
      author: { type: 'bot', id: BOT.id, name: 'Operator', email: 'operator+ws_1@intercom.io' },
    });
  });

  it('adds assigned_to to assignment parts only, nobody_admin with a null id when unassigned', () => {
    const [team, nobody, fallback] = mapped(toTeam, toNobody, untyped).ticket_parts;
    expect(Object.keys(team).sort()).toEqual(sorted([...COMMON_PART_KEYS, 'assigned_to']));
    expect(team).toMatchObject({ assigned_to: { type: 'team', id: '814' } });
    expect(nobody).toMatchObject({ assigned_to: { type: 'nobody_admin', id: null } });
    expect(fallback).toMatchObject({ assigned_to: { type: 'nobody_admin', id: null } });
  });

  it('keeps attachments, external_id and redacted as given', () => {
    const attachment = { type: 'upload', name: 'a.png', url: 'https://x/a.png', content_type: 'image/png' };
    const [mappedPart] = mapped(
      part({ attachments: [attachment], externalId: 'ext-1', redacted: true }),
    ).ticket_parts;
    expect(mappedPart).toMatchObject({ attachments: [attachment], external_id: 'ext-1', redacted: true });
  });
});

describe('toTicketResponse: later versions (BEHAVIOUR.md §6)', () => {
  const V210 = [...TICKET_KEYS, 'category', 'open', 'snoozed_until', 'linked_objects'];
  const V212 = V210.filter((key) => !key.startsWith('ticket_state_')).concat();
  const V216 = [...V212, 'previous_ticket_state_id'];
  const TYPE_29 = Object.keys(toTicket29(view()).ticket_type);

  it.each([
    ['2.10', V210, [...TYPE_29, 'category']],
    ['2.11', V210, [...TYPE_29, 'category']],
    ['2.12', V212, [...TYPE_29, 'category', 'ticket_states']],
    ['2.13', V212, [...TYPE_29, 'category', 'ticket_states']],
    ['2.14', V212, [...TYPE_29, 'category', 'ticket_states']],
    ['2.15', V212, [...TYPE_29, 'category', 'ticket_states']],
    ['2.16', V216, [...TYPE_29, 'category', 'ticket_states']],
    ['Preview', V216, [...TYPE_29, 'category', 'ticket_states']],
  ] as const)('%s has exactly its fields, on the ticket and its type', (version, keys, typeKeys) => {
    const body = toTicketResponse(view(), version);
    expect(Object.keys(body).sort()).toEqual(sorted([...keys]));
    expect(Object.keys(body.ticket_type).sort()).toEqual(sorted([...typeKeys]));
  });

  it("2.10: category (the type's), open, snoozed_until and an empty linked_objects list", () => {
    const body = toTicketResponse(view({ open: false }), '2.10');
    expect(body).toMatchObject({
      category: 'Back-office',
      open: false,
      snoozed_until: null,
      linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
      ticket_type: { category: 'Back-office' },
    });
    expect(toTicketResponse(view({ snoozedUntil: T0 + 3600 }), '2.11')).toMatchObject({
      open: true,
      snoozed_until: T0 + 3600,
    });
  });

  it('2.12: ticket_state is the state object, custom states with their own id and labels', () => {
    expect(toTicketResponse(view({ state: CUSTOM }), '2.12').ticket_state).toEqual({
      type: 'ticket_state',
      id: '7005',
      category: 'in_progress',
      internal_label: 'Investigating',
      external_label: 'Looking into it',
    });
  });

  it('2.12: the type lists its unarchived states, in order, as state objects', () => {
    const { ticket_states } = toTicketResponse(view(), '2.14').ticket_type as {
      ticket_states: { type: string; data: { id: string; type: string }[] };
    };
    expect(ticket_states.type).toBe('list');
    expect(ticket_states.data.map((state) => state.id)).toEqual(['1', '2', '3', '4', '7005']);
    expect(ticket_states.data[2]).toEqual({
      type: 'ticket_state',
      id: '3',
      category: 'waiting_on_customer',
      internal_label: 'Waiting on customer',
      external_label: 'Waiting on you',
    });
  });

  const attributePart = part({
    id: '102',
    partType: 'ticket_attribute_updated_by_admin',
    body: null,
    author: BOT,
    updatedAttributeData: {
      attribute: { id: '210', label: 'Priority' },
      value: { id: 'a1', label: 'High' },
    },
  });
  const unknownAttributePart = part({ id: '103', partType: 'ticket_attribute_updated_by_admin', body: null });

  it('2.14: attribute parts carry updated_attribute_data (null when not known); other parts do not', () => {
    const parts = toTicketResponse(view({ parts: [part(), attributePart, unknownAttributePart] }), '2.14')
      .ticket_parts.ticket_parts;
    expect(Object.keys(parts[0]).sort()).toEqual(sorted(COMMON_PART_KEYS));
    expect(parts[1].updated_attribute_data).toEqual({
      attribute: { type: 'attribute', id: '210', label: 'Priority' },
      value: { type: 'value', id: 'a1', label: 'High' },
    });
    expect(parts[2]).toHaveProperty('updated_attribute_data', null);
    expect(
      toTicketResponse(view({ parts: [attributePart] }), '2.13').ticket_parts.ticket_parts[0],
    ).not.toHaveProperty('updated_attribute_data');
  });

  it('2.16: integer assignee ids (0 when unassigned) and previous_ticket_state_id', () => {
    expect(toTicketResponse(view(), '2.16')).toMatchObject({
      admin_assignee_id: 0,
      team_assignee_id: 0,
      previous_ticket_state_id: null,
    });
    expect(
      toTicketResponse(
        view({ adminAssigneeId: '991267719', teamAssigneeId: '814', previousStateId: '2' }),
        'Preview',
      ),
    ).toMatchObject({ admin_assignee_id: 991267719, team_assignee_id: 814, previous_ticket_state_id: '2' });
    expect(toTicketResponse(view({ adminAssigneeId: '991267719' }), '2.15')).toMatchObject({
      admin_assignee_id: '991267719',
      team_assignee_id: '0',
    });
  });

  it('leaves the view untouched, so one view renders at every version', () => {
    const ticket = view({ state: CUSTOM, parts: [attributePart] });
    const before = structuredClone(ticket);
    for (const version of ['2.9', '2.12', '2.16', 'Preview'] as const) toTicketResponse(ticket, version);
    expect(ticket).toEqual(before);
  });
});

describe('unixSeconds', () => {
  it.each([
    [new Date(0), 0],
    [new Date(999), 0],
    [new Date(1000), 1],
    [at(T0, 999), T0],
    [new Date(-1), -1],
  ])('%o is %i', (date, seconds) => expect(unixSeconds(date)).toBe(seconds));
});
