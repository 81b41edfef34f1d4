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

  it('refuses fields of later API versions the format does not import yet, naming them', () => {
    const s = example();
    Object.assign(s.tickets![0], { open: false, ticket_state_id: '7001' });
    expect(parseProblems(JSON.stringify(s))).toEqual([
      "tickets[0].open: unknown field; neither this format nor Intercom's ticket object has it",
      "tickets[0].ticket_state_id: unknown field; neither this format nor Intercom's ticket object has it",
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
