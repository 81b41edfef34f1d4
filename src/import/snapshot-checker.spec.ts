import {
  capProblems,
  checkSnapshot,
  EMPTY_WORKSPACE,
  type ExistingWorkspace,
  ImportError,
  MAX_PROBLEMS,
  parseSnapshot,
} from './snapshot-checker';
import type { Snapshot } from './snapshot.types';

/** The OPERATING.md example, small: one admin, team, contact, type (title + Priority), ticket, part. */
function example(): Snapshot {
  return {
    workspace: { id: 'ws_unit', name: 'Acme', default_intercom_version: '2.9' },
    admins: [{ id: '991267719', name: 'Ann Admin', email: 'ann@acme.test' }],
    teams: [{ id: '814', name: 'Billing', admin_ids: ['991267719'] }],
    contacts: [{ id: 'c1', external_id: 'u-1', role: 'user', email: 'c@acme.test' }],
    ticket_types: [
      {
        id: '71',
        name: 'Bug',
        ticket_type_attributes: [
          { id: '208', name: '_default_title_', data_type: 'string', required_to_create: true },
          {
            id: '212',
            name: 'Priority',
            data_type: 'list',
            input_options: { list_items: [{ id: 'high-id', label: 'High' }] },
          },
        ],
      },
    ],
    tickets: [
      {
        id: '447',
        ticket_type_id: '71',
        ticket_attributes: { _default_title_: 'Login fails', Priority: 'High' },
        contact_ids: ['c1'],
        admin_assignee_id: '991267719',
        team_assignee_id: '814',
        ticket_parts: [{ id: '100', part_type: 'comment', author: { type: 'admin', id: '991267719' } }],
      },
    ],
  };
}

/** The example with the later versions' data: the four default states (7001–7004), a custom in_progress state
 * (7005) and an archived one (7006), all the Bug type's, and a company. */
function withStates(): Snapshot {
  const s = example();
  s.ticket_states = [
    { id: '7001', category: 'submitted', internal_label: 'Submitted', external_label: 'Submitted' },
    { id: '7002', category: 'in_progress', internal_label: 'In progress', external_label: 'In progress' },
    {
      id: '7003',
      category: 'waiting_on_customer',
      internal_label: 'Waiting on customer',
      external_label: 'Waiting on you',
    },
    { id: '7004', category: 'resolved', internal_label: 'Resolved', external_label: 'Resolved' },
    { id: '7005', category: 'in_progress', internal_label: 'Investigating', external_label: 'In progress' },
    { id: '7006', category: 'in_progress', internal_label: 'Old', external_label: 'Old', archived: true },
  ];
  s.companies = [{ id: 'co-1', company_id: 'acme-1', name: 'Acme' }];
  s.ticket_types![0].ticket_state_ids = ['7001', '7002', '7003', '7004', '7005', '7006'];
  return s;
}

/** A workspace that already holds type 71 with states 1–4 and an archived in_progress state 5, and company
 * "old-co". */
function storedStates(): ExistingWorkspace {
  return {
    ...EMPTY_WORKSPACE,
    types: new Set(['71']),
    companies: new Set(['old-co']),
    states: new Map([
      ['1', { category: 'submitted', archived: false }],
      ['2', { category: 'in_progress', archived: false }],
      ['3', { category: 'waiting_on_customer', archived: false }],
      ['4', { category: 'resolved', archived: false }],
      ['5', { category: 'in_progress', archived: true }],
    ]),
    typeStates: new Map([['71', ['1', '2', '3', '4', '5']]]),
  };
}

/** The problems parseSnapshot reports for `text`, or [] if it parses. */
function parseProblems(text: string): string[] {
  try {
    parseSnapshot(text, 'file.json');
    return [];
  } catch (error) {
    if (error instanceof ImportError) return error.problems;
    throw error;
  }
}

describe('parseSnapshot', () => {
  it('accepts the example and returns it as parsed', () => {
    const text = JSON.stringify(example());
    expect(parseSnapshot(text, 'file.json')).toEqual(example());
  });

  it('names the file, line and column when the text is not JSON', () => {
    expect(parseProblems('{"workspace": ')).toEqual([
      'file.json:1:15: not valid JSON: unexpected end of input',
    ]);
    expect(parseProblems('{\n  "workspace": {"id": "x"},\n  "admins": [}\n}')).toEqual([
      'file.json:3:14: not valid JSON: unexpected character "}"',
    ]);
  });

  it('names a field neither the format nor Intercom defines, with the kind of object', () => {
    const s = example();
    Object.assign(s.tickets![0], { ticket_atributes: { Priority: 'High' } });
    Object.assign(s.tickets![0].ticket_parts![0], { bodyy: 'x' });
    Object.assign(s.ticket_types![0].ticket_type_attributes![1].input_options!.list_items![0], {
      lable: 'x',
    });
    Object.assign(s.workspace, { require_if_matches: true });
    Object.assign(s, { ticket: [] });
    expect(parseProblems(JSON.stringify(s))).toEqual([
      'ticket: not a field of a workspace snapshot',
      "workspace.require_if_matches: unknown field; neither this format nor Intercom's workspace object has it",
      "ticket_types[0].ticket_type_attributes[1].input_options.list_items[0].lable: unknown field; neither this format nor Intercom's list item object has it",
      "tickets[0].ticket_atributes: unknown field; neither this format nor Intercom's ticket object has it",
      "tickets[0].ticket_parts[0].bodyy: unknown field; neither this format nor Intercom's ticket part object has it",
    ]);
  });

  it("accepts and ignores Intercom's own fields the format does not use", () => {
    const s = example();
    Object.assign(s.tickets![0], {
      type: 'ticket',
      ticket_state_internal_label: 'Submitted',
      ticket_state_external_label: 'Submitted',
      ticket_type: { type: 'ticket_type', id: '71' },
      contacts: { type: 'contact.list', contacts: [] },
    });
    Object.assign(s.tickets![0].ticket_parts![0], { type: 'ticket_part' });
    Object.assign(s.tickets![0].ticket_parts![0].author, { name: 'Ann Admin', email: 'ann@acme.test' });
    Object.assign(s.ticket_types![0], { type: 'ticket_type', workspace_id: 'ws_unit' });
    Object.assign(s.ticket_types![0].ticket_type_attributes![0], {
      type: 'ticket_type_attribute',
      workspace_id: 'ws_unit',
      ticket_type_id: 71,
    });
    Object.assign(s.admins![0], { job_title: 'Support', away_mode_enabled: false });
    Object.assign(s.teams![0], { type: 'team' });
    Object.assign(s.contacts![0], { type: 'contact', name: 'C', custom_attributes: {} });
    Object.assign(s.ticket_types![0].ticket_type_attributes![0], { input_options: { multiline: true } });
    expect(parseProblems(JSON.stringify(s))).toEqual([]);
  });

  it("accepts the later versions' fields (OPERATING.md), and still names a field no version has", () => {
    const s = withStates();
    Object.assign(s.tickets![0], {
      open: false,
      snoozed_until: null,
      ticket_state_id: '7005',
      company_id: 'co-1',
      previous_ticket_state_id: 7001,
      opened: true,
    });
    expect(parseProblems(JSON.stringify(s))).toEqual([
      "tickets[0].opened: unknown field; neither this format nor Intercom's ticket object has it",
    ]);
  });

  it("accepts and ignores the later versions' Intercom fields the format does not use", () => {
    const s = withStates();
    Object.assign(s.ticket_states![0], { type: 'ticket_state', ticket_types: { type: 'list', data: [] } });
    Object.assign(s.companies![0], {
      type: 'company',
      app_id: 'ecahpwf5',
      created_at: 1717021671,
      updated_at: 1717021671,
      last_request_at: 1717021671,
      remote_created_at: 1717021671,
      monthly_spend: 100,
      session_count: 1,
      user_count: 2,
      size: 10,
      website: 'https://acme.test',
      industry: 'Software',
      plan: { type: 'plan', id: '1', name: 'Pro' },
      custom_attributes: {},
      tags: { type: 'tag.list', tags: [] },
      segments: { type: 'segment.list', segments: [] },
    });
    Object.assign(s.ticket_types![0], { ticket_states: { type: 'list', data: [] }, is_internal: false });
    Object.assign(s.tickets![0], {
      category: 'Customer',
      linked_objects: { type: 'list', data: [], total_count: 0, has_more: false },
      ticket_state: {
        type: 'ticket_state',
        id: '7005',
        category: 'in_progress',
        internal_label: 'Investigating',
      },
    });
    Object.assign(s.tickets![0].ticket_parts![0], {
      app_package_code: 'test-integration',
      translations: [],
      updated_attribute_data: {
        attribute: { type: 'attribute', id: '212', label: 'Priority' },
        value: { type: 'value', id: 'high-id', label: 'High' },
      },
    });
    expect(parseProblems(JSON.stringify(s))).toEqual([]);
    expect(checkSnapshot(parseSnapshot(JSON.stringify(s), 'file.json'), EMPTY_WORKSPACE)).toEqual([]);
  });

  it("names what is wrong in the later versions' objects", () => {
    const s = withStates();
    Object.assign(s.ticket_states![0], { category: 'open', colour: 'red' });
    delete (s.ticket_states![1] as { internal_label?: string }).internal_label;
    Object.assign(s.companies![0], { id: '', founded: 1990 });
    Object.assign(s.ticket_types![0], { category: 'Internal', ticket_state_ids: ['x'] });
    Object.assign(s.tickets![0], {
      ticket_state: { id: '7005', label: 'x' },
      open: 'no',
      snoozed_until: -1,
      company_id: '',
      previous_ticket_state_id: '07',
    });
    Object.assign(s.tickets![0].ticket_parts![0], {
      updated_attribute_data: { attribute: { id: '212' }, value: { id: 3, label: 'x', kind: 1 } },
    });
    expect(parseProblems(JSON.stringify(s))).toEqual([
      "ticket_states[0].colour: unknown field; neither this format nor Intercom's ticket state object has it",
      'ticket_states[0].category: must be one of "submitted", "in_progress", "waiting_on_customer", "resolved"',
      'ticket_states[1]: missing required field "internal_label"',
      "companies[0].founded: unknown field; neither this format nor Intercom's company object has it",
      'companies[0].id: must NOT have fewer than 1 characters',
      'ticket_types[0].category: must be one of "Customer", "Back-office", "Tracker"',
      'ticket_types[0].ticket_state_ids[0]: must match pattern "^(0|[1-9][0-9]{0,17})$"',
      'ticket_types[0].ticket_state_ids[0]: must be integer',
      'ticket_types[0].ticket_state_ids[0]: must match a schema in anyOf',
      'tickets[0].ticket_state: missing required field "category"',
      "tickets[0].ticket_state.label: unknown field; neither this format nor Intercom's ticket state object has it",
      'tickets[0].open: must be boolean',
      'tickets[0].snoozed_until: must be >= 0',
      'tickets[0].snoozed_until: must be null',
      'tickets[0].snoozed_until: must match a schema in anyOf',
      'tickets[0].company_id: must NOT have fewer than 1 characters',
      'tickets[0].previous_ticket_state_id: must match pattern "^(0|[1-9][0-9]{0,17})$"',
      'tickets[0].previous_ticket_state_id: must be integer',
      'tickets[0].previous_ticket_state_id: must be null',
      'tickets[0].previous_ticket_state_id: must match a schema in anyOf',
      'tickets[0].ticket_parts[0].updated_attribute_data.attribute: missing required field "label"',
      "tickets[0].ticket_parts[0].updated_attribute_data.value.kind: unknown field; neither this format nor Intercom's updated value object has it",
      'tickets[0].ticket_parts[0].updated_attribute_data.value.id: must be string,null,array',
    ]);
  });

  it('lists at most 50 problems, then "and N more"', () => {
    const s = example();
    Object.assign(s.tickets![0], Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`extra_${i}`, i])));
    const problems = parseProblems(JSON.stringify(s));
    expect(problems).toHaveLength(51);
    expect(problems[0]).toBe(
      "tickets[0].extra_0: unknown field; neither this format nor Intercom's ticket object has it",
    );
    expect(problems[50]).toBe('... and 10 more');
  });

  it('names the path of a structural problem', () => {
    const s = example();
    Object.assign(s.tickets![0], { ticket_state: 'frozen' });
    delete (s.admins![0] as { name?: string }).name;
    expect(parseProblems(JSON.stringify(s))).toEqual([
      'admins[0]: missing required field "name"',
      'tickets[0].ticket_state: must be one of "submitted", "in_progress", "waiting_on_customer", "resolved"',
    ]);
  });

  it('names strings PostgreSQL cannot store, keys and values', () => {
    const s = example();
    s.contacts![0].email = 'a\u0000b';
    s.tickets![0].ticket_attributes = { 'bad\uD800': 'x' };
    expect(parseProblems(JSON.stringify(s))).toEqual([
      'contacts[0].email: contains a NUL character or an unpaired UTF-16 surrogate',
      'tickets[0].ticket_attributes.bad\uD800: contains a NUL character or an unpaired UTF-16 surrogate',
    ]);
  });
});

describe('checkSnapshot', () => {
  it('finds nothing wrong with the example in an empty workspace', () => {
    expect(checkSnapshot(example(), EMPTY_WORKSPACE)).toEqual([]);
  });

  it('names every dangling reference with its object and field', () => {
    const s = example();
    const ticket = s.tickets![0];
    ticket.ticket_type_id = '99';
    ticket.ticket_attributes = {};
    ticket.contact_ids = ['nobody'];
    ticket.admin_assignee_id = '5';
    ticket.team_assignee_id = '6';
    ticket.ticket_parts![0].author = { id: '7' };
    s.teams![0].admin_ids = ['8'];
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'teams[0].admin_ids[0]: admin "8" not found',
      'tickets[0] (id "447").ticket_type_id: ticket type "99" not found',
      'tickets[0] (id "447").contact_ids[0]: contact "nobody" not found',
      'tickets[0] (id "447").admin_assignee_id: admin "5" not found',
      'tickets[0] (id "447").team_assignee_id: team "6" not found',
      'tickets[0] (id "447").ticket_parts[0].author.id: admin "7" not found',
    ]);
  });

  it('resolves references against what the workspace already holds', () => {
    const s = example();
    const existing: ExistingWorkspace = {
      ...EMPTY_WORKSPACE,
      adminTypes: new Map([['5', 'admin']]),
      contacts: new Set(['old-contact']),
    };
    s.tickets![0].admin_assignee_id = '5';
    s.tickets![0].contact_ids = ['old-contact'];
    expect(checkSnapshot(s, existing)).toEqual([]);
  });

  it('checks attribute names and values by the API rules, files and empty required values aside', () => {
    const s = example();
    s.tickets![0].ticket_attributes = { _default_title_: null, Priority: 'Nope', Severity: 1 };
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      expect.stringMatching(/^tickets\[0\] \(id "447"\)\.ticket_attributes\.Priority: .*list items/),
      'tickets[0] (id "447").ticket_attributes.Severity: not an attribute of ticket type "71"',
    ]);
  });

  it('names duplicate ids', () => {
    const s = example();
    s.tickets!.push({ ...s.tickets![0], ticket_parts: [] });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[1]: id "447" appears more than once in tickets',
    ]);
  });
});

describe("checkSnapshot: the later versions' data (OPERATING.md)", () => {
  it('finds nothing wrong with states, a company and tickets in custom states', () => {
    const s = withStates();
    Object.assign(s.tickets![0], {
      ticket_state_id: '7006', // archived: a ticket may stay in one
      open: true,
      snoozed_until: 1_900_000_000,
      company_id: 'co-1',
      previous_ticket_state_id: '7005',
    });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([]);
  });

  it("refuses a change of a stored state's category, naming the field", () => {
    const s = example();
    s.ticket_states = [{ id: '2', category: 'resolved', internal_label: 'Done', external_label: 'Done' }];
    expect(checkSnapshot(s, storedStates())).toEqual([
      'ticket_states[0].category: ticket state "2" is in_progress; a state\'s category cannot change',
    ]);
  });

  it('names duplicate state and company ids', () => {
    const s = withStates();
    s.ticket_states!.push({ ...s.ticket_states![4] });
    s.companies!.push({ id: 'co-1' });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'ticket_states[6]: id "7005" appears more than once in ticket_states',
      'companies[1]: id "co-1" appears more than once in companies',
    ]);
  });

  it("a type's ticket_state_ids: states of the file or the workspace", () => {
    const s = withStates();
    s.ticket_types![0].ticket_state_ids = ['7001', '7002', '3', '7004', '9'];
    s.tickets![0].ticket_state = 'waiting_on_customer';
    expect(checkSnapshot(s, storedStates())).toEqual([
      'ticket_types[0].ticket_state_ids[4]: ticket state "9" not found',
    ]);
  });

  it("a type's ticket_state_ids: an unarchived state of every category, naming each missing one", () => {
    const s = withStates();
    s.ticket_types![0].ticket_state_ids = ['7001', '7006', '7004'];
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'ticket_types[0].ticket_state_ids: no unarchived in_progress state; a ticket type needs one of every category',
      'ticket_types[0].ticket_state_ids: no unarchived waiting_on_customer state; a ticket type needs one of every category',
    ]);
    s.ticket_types![0].ticket_state_ids = [];
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toHaveLength(4);
  });

  it('a stored type the file does not restate keeps its states: archiving its last of a category is refused', () => {
    const s = example();
    s.ticket_types![0].ticket_type_attributes = [];
    s.tickets = [];
    s.ticket_states = [
      {
        id: '2',
        category: 'in_progress',
        internal_label: 'In progress',
        external_label: 'x',
        archived: true,
      },
    ];
    expect(checkSnapshot(s, storedStates())).toEqual([
      'ticket_states[0].archived: ticket type "71" would have no unarchived in_progress state left',
    ]);
    // Another unarchived in_progress state of the type: fine.
    s.ticket_states.push({
      id: '5',
      category: 'in_progress',
      internal_label: 'Back',
      external_label: 'Back',
    });
    expect(checkSnapshot(s, storedStates())).toEqual([]);
    // Restated with one: fine too.
    s.ticket_states.pop();
    s.ticket_types![0].ticket_state_ids = ['1', '2', '3', '4', '6'];
    s.ticket_states.push({ id: '6', category: 'in_progress', internal_label: 'New', external_label: 'New' });
    expect(checkSnapshot(s, storedStates())).toEqual([]);
  });

  it("a stored ticket outside the file must keep its state among its type's restated ones", () => {
    const s = example();
    s.tickets = [];
    s.ticket_types![0].ticket_state_ids = ['1', '2', '3', '4'];
    const existing: ExistingWorkspace = {
      ...storedStates(),
      ticketStates: new Map([
        ['500', { typeId: '71', stateId: '5' }],
        ['502', { typeId: '71', stateId: '5' }],
        ['501', { typeId: '71', stateId: '2' }],
      ]),
    };
    expect(checkSnapshot(s, existing)).toEqual([
      'ticket_types[0].ticket_state_ids: leaves out ticket state "5", the state of stored ticket "500" (and 1 more), which the file does not hold',
    ]);
    // The file moves those tickets: fine.
    s.tickets = ['500', '502'].map((ticketId) => ({ id: ticketId, ticket_type_id: '71' }));
    expect(checkSnapshot(s, existing)).toEqual([]);
  });

  it("a ticket's ticket_state_id: a state of its type (the file's list, the stored one, or the defaults)", () => {
    const s = withStates();
    s.ticket_states!.push({
      id: '7010',
      category: 'resolved',
      internal_label: "Won't fix",
      external_label: 'Closed',
    });
    s.tickets![0].ticket_state_id = '7010';
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state_id: ticket state "7010" is not a state of ticket type "71"',
    ]);

    // A stored type keeps its states: 5 (archived) is one, 7010 is not.
    const stored = example();
    stored.ticket_types = [];
    stored.ticket_states = [
      { id: '7010', category: 'resolved', internal_label: "Won't fix", external_label: 'Closed' },
    ];
    stored.tickets![0].ticket_attributes = {};
    stored.tickets![0].ticket_parts = [];
    stored.tickets![0].ticket_state_id = '5';
    expect(checkSnapshot(stored, storedStates())).toEqual([]);
    stored.tickets![0].ticket_state_id = '7010';
    expect(checkSnapshot(stored, storedStates())).toEqual([
      'tickets[0] (id "447").ticket_state_id: ticket state "7010" is not a state of ticket type "71"',
    ]);

    // A new type that lists none gets the workspace's default of each category: 7005 is not one of them.
    const fresh = withStates();
    delete fresh.ticket_types![0].ticket_state_ids;
    fresh.tickets![0].ticket_state_id = '7002';
    expect(checkSnapshot(fresh, EMPTY_WORKSPACE)).toEqual([]);
    fresh.tickets![0].ticket_state_id = '7005';
    expect(checkSnapshot(fresh, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state_id: ticket state "7005" is not a state of ticket type "71"',
    ]);
  });

  it("a ticket's state references that point nowhere", () => {
    const s = withStates();
    Object.assign(s.tickets![0], { ticket_state_id: '9', company_id: 'nope', previous_ticket_state_id: '8' });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state_id: ticket state "9" not found',
      'tickets[0] (id "447").company_id: company "nope" not found',
      'tickets[0] (id "447").previous_ticket_state_id: ticket state "8" not found',
    ]);
  });

  it('resolves companies and previous states against the workspace too', () => {
    const s = example();
    Object.assign(s.tickets![0], { company_id: 'old-co', previous_ticket_state_id: '5' });
    s.ticket_types = [];
    s.tickets![0].ticket_attributes = {};
    s.tickets![0].ticket_parts = [];
    expect(checkSnapshot(s, storedStates())).toEqual([]);
  });

  it('ticket_state and ticket_state_id must agree on the category', () => {
    const s = withStates();
    Object.assign(s.tickets![0], { ticket_state: 'resolved', ticket_state_id: '7005' });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state: "resolved" is not the category of ticket state "7005" (in_progress)',
    ]);
    s.tickets![0].ticket_state = 'in_progress';
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([]);
  });

  it("2.12's ticket_state object: its id is the state, its category must be the state's", () => {
    const s = withStates();
    s.tickets![0].ticket_state = { id: '7005', category: 'resolved' };
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state.category: "resolved" is not the category of ticket state "7005" (in_progress)',
    ]);
    s.tickets![0].ticket_state = { id: '9', category: 'resolved' };
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state.id: ticket state "9" not found',
    ]);
    s.tickets![0].ticket_state = { id: '7005', category: 'in_progress' };
    s.tickets![0].ticket_state_id = '7002';
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_state.id: "7005" is not the ticket_state_id "7002"',
    ]);
  });

  it('refuses a snoozed closed ticket', () => {
    const s = withStates();
    Object.assign(s.tickets![0], { open: false, snoozed_until: 1_900_000_000 });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").snoozed_until: a closed ticket ("open": false) cannot be snoozed',
    ]);
    Object.assign(s.tickets![0], { open: false, snoozed_until: null });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([]);
  });

  it("a part's updated_attribute_data names an attribute of the ticket's type", () => {
    const s = withStates();
    s.tickets![0].ticket_parts![0].updated_attribute_data = {
      attribute: { id: '999', label: 'Gone' },
      value: { id: null, label: '' },
    };
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([
      'tickets[0] (id "447").ticket_parts[0].updated_attribute_data.attribute.id: attribute "999" is not an attribute of ticket type "71"',
    ]);
    s.tickets![0].ticket_parts![0].updated_attribute_data.attribute.id = 212;
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toEqual([]);
  });
});

describe('attribute names that are JavaScript internals (issue #9 point 6)', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  const withInternals = (): Snapshot => {
    const s = example();
    s.tickets![0].ticket_attributes = JSON.parse(
      '{"_default_title_":"Login fails","__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h"}',
    ) as Record<string, unknown>;
    return s;
  };

  it('accepts them when the ticket type has them (in the file or in the workspace)', () => {
    const inFile = withInternals();
    inFile.ticket_types![0].ticket_type_attributes!.push(
      ...NAMES.map((name, i) => ({ id: String(300 + i), name, data_type: 'string' as const })),
    );
    expect(checkSnapshot(inFile, EMPTY_WORKSPACE)).toEqual([]);

    const stored = withInternals();
    const existing: ExistingWorkspace = {
      ...EMPTY_WORKSPACE,
      attributes: new Map([
        [
          '71',
          new Map(
            NAMES.map((name, i) => [
              name,
              {
                id: String(300 + i),
                name,
                dataType: 'string' as const,
                requiredToCreate: false,
                inputOptions: null,
              },
            ]),
          ),
        ],
      ]),
    };
    expect(checkSnapshot(stored, existing)).toEqual([]);
  });

  it('names each one the ticket type lacks', () => {
    expect(checkSnapshot(withInternals(), EMPTY_WORKSPACE)).toEqual(
      NAMES.map(
        (name) => `tickets[0] (id "447").ticket_attributes.${name}: not an attribute of ticket type "71"`,
      ),
    );
  });

  it('checks their values like any other attribute', () => {
    const s = withInternals();
    s.ticket_types![0].ticket_type_attributes!.push({ id: '300', name: '__proto__', data_type: 'integer' });
    expect(checkSnapshot(s, EMPTY_WORKSPACE)).toContain(
      'tickets[0] (id "447").ticket_attributes.__proto__: __proto__ must be an integer between -(2^53 - 1) and 2^53 - 1',
    );
  });
});

describe('timestamps and ids are safe integers (issue #9 point 5)', () => {
  it.each([
    ['tickets[0].created_at', (s: Snapshot) => (s.tickets![0].created_at = 2 ** 53)],
    ['tickets[0].updated_at', (s: Snapshot) => (s.tickets![0].updated_at = Number.MAX_SAFE_INTEGER)],
    ['ticket_types[0].created_at', (s: Snapshot) => (s.ticket_types![0].created_at = 2 ** 60)],
    [
      'tickets[0].ticket_parts[0].created_at',
      (s: Snapshot) => (s.tickets![0].ticket_parts![0].created_at = 2 ** 53 + 2),
    ],
    ['tickets[0].ticket_id', (s: Snapshot) => (s.tickets![0].ticket_id = 2 ** 53)],
  ])('refuses %s beyond 2^53 - 1, naming the object and the field', (where, breakIt) => {
    const s = example();
    breakIt(s);
    const problems = parseProblems(JSON.stringify(s));
    expect(problems).toContainEqual(
      expect.stringMatching(new RegExp(`^${where.replace(/[[\].]/g, '\\$&')}: must be <=`)),
    );
  });

  it('accepts the largest timestamp it stores (9999-12-31T23:59:59Z)', () => {
    const s = example();
    s.tickets![0].created_at = 253402300799;
    expect(parseProblems(JSON.stringify(s))).toEqual([]);
  });
});

describe('capProblems', () => {
  it('keeps a short list as it is', () => {
    expect(capProblems(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('ends a long list with "and N more"', () => {
    const problems = Array.from({ length: MAX_PROBLEMS + 7 }, (_, i) => `problem ${i}`);
    const capped = capProblems(problems);
    expect(capped).toHaveLength(MAX_PROBLEMS + 1);
    expect(capped[MAX_PROBLEMS - 1]).toBe(`problem ${MAX_PROBLEMS - 1}`);
    expect(capped[MAX_PROBLEMS]).toBe('... and 7 more');
    expect(new ImportError(problems).problems).toEqual(capped);
  });
});
