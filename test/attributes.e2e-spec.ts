import { putTicket, useSeededApp } from './support/app';
import { IDS, T0, seedWorkspace, ticketRow, ticketState } from './support/factories';

/** BEHAVIOUR.md §2 (ticket_attributes and its data_type table) and §3 (one part per changed attribute). */

/** A value written into the JSON body verbatim, for numbers JSON.stringify cannot produce (2^53 + 2, 1e400). */
class Raw {
  constructor(readonly json: string) {}
}

/** The request body, as a string so that keys like `__proto__` and verbatim numbers arrive as written. */
function attributesBody(attributes: [string, unknown][]): string {
  const entries = attributes.map(([name, value]) => {
    const json = value instanceof Raw ? value.json : JSON.stringify(value);
    return `${JSON.stringify(name)}:${json}`;
  });
  return `{"ticket_attributes":{${entries.join(',')}}}`;
}

/** What IDS.ticket holds after the standard snapshot's import. */
const INITIAL = { _default_title_: 'Login fails', Priority: 'High', 'Legacy code': 'L1' };
const INITIAL_UPDATED_AT = T0 + 60;

describe('PUT /tickets/:id — ticket_attributes', () => {
  const ctx = useSeededApp(seedWorkspace);

  const put = (body: string) => putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, body);
  const stored = () => ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);

  /** 200; the response and the database hold `expected` for every name; one attribute part per changed name. */
  async function expectAccepted(
    attributes: [string, unknown][],
    expected: Record<string, unknown>,
    newParts: number,
  ) {
    const before = await stored();
    const res = await put(attributesBody(attributes)).expect(200);
    const after = await stored();

    const merged = { ...before.ticket.attributes, ...expected };
    for (const [name, value] of Object.entries(expected)) if (value === undefined) delete merged[name];
    expect(after.ticket.attributes).toEqual(merged);
    expect(res.body.ticket_attributes).toEqual(merged);

    expect(after.parts.slice(0, before.parts.length)).toEqual(before.parts);
    const added = after.parts.slice(before.parts.length);
    expect(added.map((p) => [p.part_type, p.author_id])).toEqual(
      Array.from({ length: newParts }, () => ['ticket_attribute_updated_by_admin', IDS.bot]),
    );
    expect(res.body.ticket_parts.total_count).toBe(after.parts.length);
    return res;
  }

  /** 400 parameter_invalid on `field`, and nothing written. */
  async function expectRejected(body: string, field: string, message?: string) {
    const before = await stored();
    const res = await put(body).expect(400);
    expect(res.body).toMatchObject({ type: 'error.list', errors: [{ code: 'parameter_invalid', field }] });
    expect(res.body.errors).toHaveLength(1);
    if (message !== undefined) expect(res.body.errors[0].message).toBe(message);
    expect(await stored()).toEqual(before);
    return res;
  }

  type Accepted = [label: string, name: string, sent: unknown, expected: unknown];
  const accepted: Accepted[] = [
    ['string ""', '_default_description_', '', ''],
    ['string "x"', '_default_description_', 'x', 'x'],
    ['string unicode', '_default_description_', 'Ünïcødé — 🐞 漢字 \u200b', 'Ünïcødé — 🐞 漢字 \u200b'],
    ['integer 0', 'Affected users', 0, 0],
    ['integer -5', 'Affected users', -5, -5],
    ['integer 2^53 - 1', 'Affected users', 2 ** 53 - 1, 2 ** 53 - 1],
    ['integer -(2^53 - 1)', 'Affected users', -(2 ** 53 - 1), -(2 ** 53 - 1)],
    ['datetime 2^53 - 1', 'Seen at', 2 ** 53 - 1, 2 ** 53 - 1],
    ['decimal 0', 'Amount', 0, 0],
    ['decimal 1.25', 'Amount', 1.25, 1.25],
    ['decimal -3', 'Amount', -3, -3],
    ['decimal 1e300', 'Amount', 1e300, 1e300],
    ['boolean true', 'Reproducible', true, true],
    ['boolean false', 'Reproducible', false, false],
    ['datetime 0', 'Seen at', 0, 0],
    ['datetime 1717021671', 'Seen at', 1_717_021_671, 1_717_021_671],
    ['list label "Low"', 'Priority', 'Low', 'Low'],
    ['list item id of "Low", stored as the label', 'Priority', IDS.lowItem, 'Low'],
    ['archived attribute "Legacy code"', 'Legacy code', 'L2', 'L2'],
  ];
  it.each(accepted)('accepts %s', async (_label, name, sent, expected) => {
    const res = await expectAccepted([[name, sent]], { [name]: expected }, 1);
    expect(res.body.ticket_attributes[name]).toEqual(expected);
  });

  type Rejected = [label: string, name: string, sent: unknown];
  const rejected: Rejected[] = [
    ['string 1', '_default_description_', 1],
    ['string true', '_default_description_', true],
    ['string {}', '_default_description_', {}],
    ['string []', '_default_description_', []],
    ['null on required_to_create _default_title_', '_default_title_', null],
    ['integer 1.5', 'Affected users', 1.5],
    ['integer "3"', 'Affected users', '3'],
    ['integer 2^53', 'Affected users', new Raw('9007199254740992')],
    ['integer -(2^53)', 'Affected users', new Raw('-9007199254740992')],
    ['integer 2^53 + 2', 'Affected users', new Raw('9007199254740994')],
    ['datetime 2^53', 'Seen at', new Raw('9007199254740992')],
    ['integer true', 'Affected users', true],
    ['integer 1e300', 'Affected users', 1e300],
    ['decimal "1.0"', 'Amount', '1.0'],
    ['decimal true', 'Amount', true],
    ['decimal 1e400 (Infinity once parsed)', 'Amount', new Raw('1e400')],
    ['boolean "true"', 'Reproducible', 'true'],
    ['boolean 0', 'Reproducible', 0],
    ['boolean 1', 'Reproducible', 1],
    ['datetime -1', 'Seen at', -1],
    ['datetime 1.5', 'Seen at', 1.5],
    ['datetime "2024-01-01"', 'Seen at', '2024-01-01'],
    ['datetime true', 'Seen at', true],
    ['list "low" (case differs)', 'Priority', 'low'],
    ['list archived item label "Ancient"', 'Priority', 'Ancient'],
    ['list archived item id', 'Priority', IDS.archivedItem],
    ['list 1', 'Priority', 1],
    ['list unknown label "Nope"', 'Priority', 'Nope'],
    ['files []', 'Screenshots', []],
    ['files [{url}]', 'Screenshots', [{ url: 'x' }]],
    ['files "x"', 'Screenshots', 'x'],
    ['files null', 'Screenshots', null],
  ];
  it.each(rejected)('rejects %s with 400 on its field and writes nothing', async (_label, name, sent) => {
    await expectRejected(attributesBody([[name, sent]]), `ticket_attributes.${name}`);
  });

  it('rejects a bad value even when the other keys of the request are valid', async () => {
    await expectRejected(
      attributesBody([
        ['_default_title_', 'Valid'],
        ['Amount', '12'],
      ]),
      'ticket_attributes.Amount',
    );
  });

  describe('only safe integers are integers (BEHAVIOUR.md §2)', () => {
    // JSON.parse reads 9007199254740993 as 9007199254740992: storing it would store a number never sent.
    it.each([
      [
        'Affected users',
        '9007199254740993',
        'Affected users must be an integer between -(2^53 - 1) and 2^53 - 1',
      ],
      [
        'Affected users',
        '-9007199254740993',
        'Affected users must be an integer between -(2^53 - 1) and 2^53 - 1',
      ],
      [
        'Seen at',
        '9007199254740993',
        'Seen at must be a unix timestamp in whole seconds (an integer between 0 and 2^53 - 1)',
      ],
    ])('%s = %s: 400 naming the field, and nothing written', async (name, json, message) => {
      await expectRejected(attributesBody([[name, new Raw(json)]]), `ticket_attributes.${name}`, message);
      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row.attributes).toEqual(INITIAL);
    });

    it.each(['admin_id', 'assignee_id'])(
      'an assignment %s of 9007199254740993 is 400 naming it, not a 404, and nothing is written',
      async (name) => {
        const ids = { admin_id: `"${IDS.admin}"`, assignee_id: `"${IDS.team}"`, [name]: '9007199254740993' };
        await expectRejected(
          `{"assignment":{"admin_id":${ids.admin_id},"assignee_id":${ids.assignee_id}}}`,
          `assignment.${name}`,
          `assignment.${name} must be a string or an integer id between 0 and 2^53 - 1`,
        );
        const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
        expect([row.admin_assignee_id, row.team_assignee_id]).toEqual([null, null]);
      },
    );
  });

  describe('strings PostgreSQL jsonb cannot hold', () => {
    // A JSON string may contain U+0000 or a lone surrogate; jsonb rejects both. §2 accepts any string and §4
    // keeps 500 for bugs, so the service must either store the exact string or refuse it as parameter_invalid.
    it.each([
      ['U+0000', 'a\u0000b'],
      ['a lone surrogate', 'a\ud800b'],
    ])(
      'a string containing %s is stored as sent or rejected with 400, never a 500',
      async (_label, value) => {
        const before = await stored();
        const res = await put(attributesBody([['_default_description_', value]]));
        expect([200, 400]).toContain(res.status);
        if (res.status === 200) {
          const after = await stored();
          expect(res.body.ticket_attributes._default_description_).toBe(value);
          expect(after.ticket.attributes._default_description_).toBe(value);
          expect(after.parts).toHaveLength(before.parts.length + 1);
        } else {
          expect(res.body.errors).toEqual([
            expect.objectContaining({
              code: 'parameter_invalid',
              field: 'ticket_attributes._default_description_',
            }),
          ]);
          expect(await stored()).toEqual(before);
        }
      },
    );
  });

  describe('null clears', () => {
    it('removes the key from the stored attributes and the response, with a part', async () => {
      await expectAccepted(
        [['_default_description_', 'to be cleared']],
        { _default_description_: 'to be cleared' },
        1,
      );
      const res = await expectAccepted(
        [['_default_description_', null]],
        { _default_description_: undefined },
        1,
      );
      expect(res.body.ticket_attributes).not.toHaveProperty('_default_description_');
      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row.attributes).not.toHaveProperty('_default_description_');
      expect(row.attributes).toEqual(INITIAL);
    });

    it('clears an archived attribute too', async () => {
      const res = await expectAccepted([['Legacy code', null]], { 'Legacy code': undefined }, 1);
      expect(res.body.ticket_attributes).toEqual({ _default_title_: 'Login fails', Priority: 'High' });
    });
  });

  describe('a value equal to the stored one', () => {
    it.each([
      ['the label "High"', 'High'],
      ['the id of "High"', IDS.highItem],
    ])('Priority set to %s: 200, no part, updated_at kept', async (_label, value) => {
      const before = await stored();
      const res = await put(attributesBody([['Priority', value]])).expect(200);
      expect(res.body.ticket_attributes).toEqual(INITIAL);
      expect(res.body.updated_at).toBe(INITIAL_UPDATED_AT);
      expect(res.body.ticket_parts.total_count).toBe(1);
      const after = await stored();
      expect(after).toEqual(before);
      expect(after.ticket.updated_at).toEqual(new Date(INITIAL_UPDATED_AT * 1000));
    });

    it('a mix of equal and changed values: parts only for the changed ones', async () => {
      await expectAccepted(
        [
          ['_default_title_', 'Login fails'],
          ['Amount', 4.5],
          ['Priority', IDS.highItem],
          ['Reproducible', true],
        ],
        { Amount: 4.5, Reproducible: true },
        2,
      );
    });
  });

  describe('merge', () => {
    it('sending one key keeps all the others', async () => {
      await expectAccepted([['Amount', 7]], { Amount: 7 }, 1);
      const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      expect(row.attributes).toEqual({ ...INITIAL, Amount: 7 });
    });

    it('several keys in one request: one part per changed key, all stored', async () => {
      // The 2.9 parts carry no attribute name, so their request key order is not observable; their count is.
      await expectAccepted(
        [
          ['Reproducible', false],
          ['_default_title_', 'Login fails on Safari'],
          ['Priority', 'Low'],
          ['Seen at', T0],
        ],
        { Reproducible: false, _default_title_: 'Login fails on Safari', Priority: 'Low', 'Seen at': T0 },
        4,
      );
    });

    it('an empty ticket_attributes object changes nothing', async () => {
      const before = await stored();
      const res = await put('{"ticket_attributes":{}}').expect(200);
      expect(res.body.ticket_attributes).toEqual(INITIAL);
      expect(res.body.updated_at).toBe(INITIAL_UPDATED_AT);
      expect(await stored()).toEqual(before);
    });
  });

  describe('unknown attribute names', () => {
    it('an unknown key mixed with valid ones: 400 and not even the valid ones are written', async () => {
      await expectRejected(
        attributesBody([
          ['Amount', 3],
          ['Nope', 1],
          ['_default_title_', 'Changed'],
          ['Other', 'x'],
        ]),
        'ticket_attributes',
        'Extra attributes provided that are not found on ticket type: Nope, Other',
      );
    });

    it('names are case-sensitive', async () => {
      await expectRejected(
        attributesBody([['priority', 'Low']]),
        'ticket_attributes',
        'Extra attributes provided that are not found on ticket type: priority',
      );
    });

    it("an attribute of another ticket type is unknown on this ticket's type", async () => {
      await expectRejected(
        attributesBody([['field_1', 'x']]),
        'ticket_attributes',
        'Extra attributes provided that are not found on ticket type: field_1',
      );
    });

    it.each([
      ['__proto__', { polluted: true }],
      ['__proto__', null],
      ['constructor', 'x'],
      ['constructor', { prototype: { polluted: true } }],
    ])('a key named %s (value %j) is unknown: 400 and nothing written', async (name, value) => {
      await expectRejected(
        attributesBody([
          ['Amount', 3],
          [name, value],
        ]),
        'ticket_attributes',
        `Extra attributes provided that are not found on ticket type: ${name}`,
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });
});
