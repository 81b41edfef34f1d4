import { errorOf, expectInvalid } from '../../test/support/api-errors';
import { isJsonContentType, parseUpdateTicketRequest, type RawBody } from './update-ticket.request';

const JSON_TYPE = 'application/json';

function raw(body: string | Buffer | undefined, contentType: string | undefined = JSON_TYPE): RawBody {
  return { bytes: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType };
}

const parse = (body: unknown, contentType?: string) =>
  parseUpdateTicketRequest(raw(JSON.stringify(body), contentType));

/** parseUpdateTicketRequest(body) throws 400 parameter_invalid naming `field`. */
const expectInvalidBody = (body: RawBody, field: string) =>
  expectInvalid(() => parseUpdateTicketRequest(body), field);

describe('parseUpdateTicketRequest: body and content type', () => {
  it.each([
    ['no bytes, no type', raw(undefined, undefined)],
    ['no bytes, JSON', raw(undefined)],
    ['zero bytes, no type', raw(Buffer.alloc(0), undefined)],
    ['zero bytes, text/plain', raw(Buffer.alloc(0), 'text/plain')],
  ])('treats an empty body as {} (%s)', (_label, body) => {
    expect(parseUpdateTicketRequest(body)).toEqual({});
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/vnd.api+json',
    'application/merge-patch+json; charset=UTF-8',
  ])('accepts Content-Type %s', (contentType) => {
    expect(parse({ state: 'resolved' }, contentType)).toEqual({ state: 'resolved' });
  });

  it('parses a JSON body sent without a Content-Type', () => {
    expect(parseUpdateTicketRequest(raw('{"is_shared":false}', undefined))).toEqual({ isShared: false });
  });

  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/json',
  ])('rejects a non-empty body with Content-Type %j as 415 unsupported_media_type', (contentType) => {
    const error = errorOf(() => parseUpdateTicketRequest(raw('{"state":"resolved"}', contentType)));
    expect({ code: error.code, status: error.status }).toEqual({
      code: 'unsupported_media_type',
      status: 415,
    });
  });

  it.each([
    ['bad JSON', '{"state":'],
    ['trailing garbage', '{} x'],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['a JSON number', '1'],
    ['JSON null', 'null'],
    ['JSON true', 'true'],
  ])('rejects %s with field "body"', (_label, text) => {
    expectInvalidBody(raw(text), 'body');
  });

  it('rejects invalid UTF-8 with field "body"', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"ticket_attributes":{"_default_title_":"'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]);
    const error = expectInvalidBody(raw(bytes), 'body');
    expect(error.message).toMatch(/UTF-8/);
  });

  it('accepts valid multi-byte UTF-8', () => {
    expect(parse({ ticket_attributes: { _default_title_: 'Ünïcødé 🐞' } })).toEqual({
      ticketAttributes: { _default_title_: 'Ünïcødé 🐞' },
    });
  });
});

describe('parseUpdateTicketRequest: fields', () => {
  it('reads every 2.9 field', () => {
    expect(
      parse({
        ticket_attributes: { _default_title_: 'T', Amount: null },
        state: 'waiting_on_customer',
        is_shared: true,
        assignment: { admin_id: '991267719', assignee_id: '814' },
      }),
    ).toEqual({
      ticketAttributes: { _default_title_: 'T', Amount: null },
      state: 'waiting_on_customer',
      isShared: true,
      performer: { id: '991267719', field: 'assignment.admin_id' },
      assignee: { id: '814', field: 'assignment.assignee_id' },
    });
  });

  it("reads every later version's field too, at one meaning (BEHAVIOUR.md §6)", () => {
    expect(
      parse({
        ticket_state_id: 7005,
        open: true,
        snoozed_until: 1_900_000_000,
        company_id: '6657add46abd0167d9419cd2',
        skip_notifications: true,
        admin_id: 991267719,
        assignee_id: '814',
      }),
    ).toEqual({
      ticketStateId: { id: '7005', field: 'ticket_state_id' },
      open: true,
      snoozedUntil: 1_900_000_000,
      companyId: '6657add46abd0167d9419cd2',
      skipNotifications: true,
      performer: { id: '991267719', field: 'admin_id' },
      assignee: { id: '814', field: 'assignee_id' },
    });
  });

  it('takes a top-level assignee_id alone (the bot assigns) and admin_id alone (the performer)', () => {
    expect(parse({ assignee_id: 0 })).toEqual({ assignee: { id: '0', field: 'assignee_id' } });
    expect(parse({ admin_id: '1' })).toEqual({ performer: { id: '1', field: 'admin_id' } });
  });

  it('reads company_id null as "remove the company", unlike other top-level nulls', () => {
    expect(parse({ company_id: null, open: null, snoozed_until: null, ticket_state_id: null })).toEqual({
      companyId: null,
    });
  });

  it.each(['in_progress', 'waiting_on_customer', 'resolved'])('accepts state %s', (state) => {
    expect(parse({ state })).toEqual({ state });
  });

  it('treats a top-level null as not sent', () => {
    expect(parse({ ticket_attributes: null, state: null, is_shared: null, assignment: null })).toEqual({});
  });

  it('drops unknown top-level fields', () => {
    expect(parse({ state: 'resolved', app_package_code: 'x', linked_objects: [], ticket_id: '9' })).toEqual({
      state: 'resolved',
    });
  });

  it('drops unknown keys inside assignment', () => {
    expect(parse({ assignment: { admin_id: '1', assignee_id: '2', type: 'admin' } })).toEqual({
      performer: { id: '1', field: 'assignment.admin_id' },
      assignee: { id: '2', field: 'assignment.assignee_id' },
    });
  });

  it('keeps an empty ticket_attributes object', () => {
    expect(parse({ ticket_attributes: {} })).toEqual({ ticketAttributes: {} });
  });

  it.each([
    [
      { admin_id: 991267719, assignee_id: 814 },
      { adminId: '991267719', assigneeId: '814' },
    ],
    [
      { admin_id: 991267719, assignee_id: 0 },
      { adminId: '991267719', assigneeId: '0' },
    ],
    [
      { admin_id: '991267719', assignee_id: '0' },
      { adminId: '991267719', assigneeId: '0' },
    ],
    [
      { admin_id: 2 ** 53 - 1, assignee_id: 2 ** 53 - 1 },
      { adminId: '9007199254740991', assigneeId: '9007199254740991' },
    ],
  ])('normalises assignment ids to strings: %j', (assignment, expected) => {
    expect(parse({ assignment })).toEqual({
      performer: { id: expected.adminId, field: 'assignment.admin_id' },
      assignee: { id: expected.assigneeId, field: 'assignment.assignee_id' },
    });
  });

  it('keeps the ticket_attributes values untouched (validated later against the type)', () => {
    const attributes = { a: [1, { b: 2 }], c: 1.5, d: 'x', e: false };
    expect(parse({ ticket_attributes: attributes })).toEqual({ ticketAttributes: attributes });
  });

  it('keeps __proto__ as an own key of ticket_attributes', () => {
    const input = parseUpdateTicketRequest(raw('{"ticket_attributes":{"__proto__":{"x":1}}}'));
    expect(Object.keys(input.ticketAttributes ?? {})).toEqual(['__proto__']);
  });
});

describe('parseUpdateTicketRequest: errors', () => {
  it.each([
    ['state submitted', { state: 'submitted' }, 'state'],
    ['state open', { state: 'open' }, 'state'],
    ['state in another case', { state: 'Resolved' }, 'state'],
    ['state as a number', { state: 1 }, 'state'],
    ['is_shared as a string', { is_shared: 'true' }, 'is_shared'],
    ['is_shared as 1', { is_shared: 1 }, 'is_shared'],
    ['ticket_attributes as an array', { ticket_attributes: [] }, 'ticket_attributes'],
    ['ticket_attributes as a string', { ticket_attributes: 'x' }, 'ticket_attributes'],
    ['assignment as a string', { assignment: '991267719' }, 'assignment'],
    ['assignment as an array', { assignment: [] }, 'assignment'],
    ['assignment without admin_id', { assignment: { assignee_id: '814' } }, 'assignment.admin_id'],
    ['assignment without assignee_id', { assignment: { admin_id: '991267719' } }, 'assignment.assignee_id'],
    [
      'assignment with a null admin_id',
      { assignment: { admin_id: null, assignee_id: '814' } },
      'assignment.admin_id',
    ],
    ['assignment without either id', { assignment: {} }, 'assignment.admin_id'],
    ['admin_id negative', { assignment: { admin_id: -1, assignee_id: '814' } }, 'assignment.admin_id'],
    ['admin_id fractional', { assignment: { admin_id: 1.5, assignee_id: '814' } }, 'assignment.admin_id'],
    ['admin_id boolean', { assignment: { admin_id: true, assignee_id: '814' } }, 'assignment.admin_id'],
    [
      'assignee_id object',
      { assignment: { admin_id: '1', assignee_id: { id: '814' } } },
      'assignment.assignee_id',
    ],
    [
      'assignee_id unsafe integer',
      { assignment: { admin_id: '1', assignee_id: 2 ** 53 + 2 } },
      'assignment.assignee_id',
    ],
    [
      'both assignment shapes',
      { assignment: { admin_id: '1', assignee_id: '2' }, assignee_id: '2' },
      'assignment',
    ],
    [
      'nested assignment and top-level admin_id',
      { assignment: { admin_id: '1', assignee_id: '2' }, admin_id: 1 },
      'assignment',
    ],
    ['top-level admin_id negative', { admin_id: -1 }, 'admin_id'],
    ['top-level assignee_id as an object', { assignee_id: { id: 1 } }, 'assignee_id'],
    ['ticket_state_id as a boolean', { ticket_state_id: true }, 'ticket_state_id'],
    ['ticket_state_id fractional', { ticket_state_id: 1.5 }, 'ticket_state_id'],
    ['open as a string', { open: 'false' }, 'open'],
    ['snoozed_until as a string', { snoozed_until: '1900000000' }, 'snoozed_until'],
    ['snoozed_until fractional', { snoozed_until: 1_900_000_000.5 }, 'snoozed_until'],
    ['snoozed_until negative', { snoozed_until: -1 }, 'snoozed_until'],
    ['snoozed_until past year 9999', { snoozed_until: 253402300800 }, 'snoozed_until'],
    ['snoozed_until with open: false', { snoozed_until: 1_900_000_000, open: false }, 'snoozed_until'],
    ['company_id as a number', { company_id: 42 }, 'company_id'],
    ['company_id too long', { company_id: 'c'.repeat(256) }, 'company_id'],
    ['skip_notifications as a string', { skip_notifications: 'yes' }, 'skip_notifications'],
  ])('rejects %s as parameter_invalid on %s', (_label, body, field) => {
    const error = expectInvalidBody(raw(JSON.stringify(body)), field);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it.each([
    ['admin_id', '{"assignment":{"admin_id":9007199254740993,"assignee_id":"814"}}'],
    ['admin_id', '{"assignment":{"admin_id":9007199254740992,"assignee_id":"814"}}'],
    ['assignee_id', '{"assignment":{"admin_id":"1","assignee_id":9007199254740993}}'],
    ['assignee_id', '{"assignment":{"admin_id":"1","assignee_id":1e300}}'],
  ])('rejects an unsafe integer %s (it was rounded by JSON.parse) as parameter_invalid: %s', (name, body) => {
    const error = expectInvalidBody(raw(body), `assignment.${name}`);
    expect(error.message).toBe(`assignment.${name} must be a string or an integer id between 0 and 2^53 - 1`);
  });

  it('names the allowed states', () => {
    const error = expectInvalidBody(raw('{"state":"submitted"}'), 'state');
    expect(error.message).toBe('state must be one of: in_progress, waiting_on_customer, resolved');
  });

  it('validates before returning anything: a valid field does not hide a bad one', () => {
    expectInvalidBody(raw('{"state":"resolved","is_shared":"no"}'), 'is_shared');
  });
});

describe('isJsonContentType', () => {
  it.each([
    ['application/json', true],
    ['application/json;charset=utf-8', true],
    [' APPLICATION/JSON ', true],
    ['application/problem+json', true],
    ['application/jsonx', false],
    ['text/json', false],
    ['application/x-json-stream', false],
    ['', false],
  ])('%j → %s', (contentType, expected) => expect(isJsonContentType(contentType)).toBe(expected));
});
