import type { WorkspaceStates } from './snapshot-checker';
import {
  companyRows,
  partRow,
  resolveTicketState,
  ticketRow,
  ticketStateRows,
  ticketTypeRow,
  typeStateRows,
} from './snapshot-rows';
import type { SnapshotTicket } from './snapshot.types';

/** Type "2" has the four defaults (1–4), a custom in_progress state (7) below an archived one (5)... */
const STATES: WorkspaceStates = {
  states: new Map([
    ['1', { category: 'submitted', archived: false }],
    ['2', { category: 'in_progress', archived: false }],
    ['3', { category: 'waiting_on_customer', archived: false }],
    ['4', { category: 'resolved', archived: false }],
    ['5', { category: 'in_progress', archived: true }],
    ['7', { category: 'in_progress', archived: false }],
    ['10', { category: 'waiting_on_customer', archived: false }],
    ['9', { category: 'waiting_on_customer', archived: false }],
  ]),
  typeStates: new Map([
    ['2', ['1', '2', '3', '4', '5', '7']],
    // ...type "3" two waiting_on_customer states, "10" listed before "9": the lowest id wins, as a number.
    ['3', ['1', '7', '10', '9', '4']],
  ]),
};

const ticket = (fields: Partial<SnapshotTicket> = {}): SnapshotTicket => ({
  id: '1',
  ticket_type_id: '2',
  ...fields,
});

describe('ticketRow', () => {
  it('keeps attribute names that are JavaScript internals as own keys, with their values', () => {
    const attributes = JSON.parse(
      '{"__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h","cleared":null}',
    ) as Record<string, unknown>;

    const row = ticketRow({ id: '1', ticket_type_id: '2', ticket_attributes: attributes }, undefined, STATES);

    expect(Object.getPrototypeOf(row.attributes)).toBe(Object.prototype);
    expect(Object.keys(row.attributes)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(JSON.stringify(row.attributes)).toBe(
      '{"__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h"}',
    );
  });

  it("defaults a ticket of a later version's fields: open, not snoozed, no company, no previous state", () => {
    expect(ticketRow(ticket(), undefined, STATES)).toMatchObject({
      ticket_state_id: '1',
      state: 'submitted',
      open: true,
      snoozed_until: null,
      company_id: null,
      previous_ticket_state_id: null,
    });
  });

  it('takes them from the file, ids as strings', () => {
    const row = ticketRow(
      ticket({
        ticket_state_id: 7,
        open: true,
        snoozed_until: 1_900_000_000,
        company_id: 'co-1',
        previous_ticket_state_id: 2,
      }),
      undefined,
      STATES,
    );
    expect(row).toMatchObject({
      ticket_state_id: '7',
      state: 'in_progress',
      open: true,
      snoozed_until: 1_900_000_000,
      company_id: 'co-1',
      previous_ticket_state_id: '2',
    });
    expect(ticketRow(ticket({ open: false, snoozed_until: null }), undefined, STATES)).toMatchObject({
      open: false,
      snoozed_until: null,
    });
  });

  it("stores the state's category as `state`, whatever the file's ticket_state says", () => {
    expect(ticketRow(ticket({ ticket_state_id: '5' }), undefined, STATES)).toMatchObject({
      ticket_state_id: '5',
      state: 'in_progress',
    });
  });
});

describe('resolveTicketState', () => {
  it('takes ticket_state_id as given, archived states too', () => {
    expect(resolveTicketState(ticket({ ticket_state_id: '5' }), STATES)).toBe('5');
  });

  it("takes 2.12's ticket_state object's id", () => {
    const t = ticket({ ticket_state: { id: 7, category: 'in_progress', internal_label: 'x' } });
    expect(resolveTicketState(t, STATES)).toBe('7');
  });

  it("without an id: the type's lowest-id unarchived state of ticket_state's category (submitted by default)", () => {
    expect(resolveTicketState(ticket(), STATES)).toBe('1');
    expect(resolveTicketState(ticket({ ticket_state: 'in_progress' }), STATES)).toBe('2');
    expect(resolveTicketState(ticket({ ticket_type_id: '3', ticket_state: 'in_progress' }), STATES)).toBe(
      '7',
    );
    expect(
      resolveTicketState(ticket({ ticket_type_id: '3', ticket_state: 'waiting_on_customer' }), STATES),
    ).toBe('9');
  });

  it('fails loudly when the type has no such state (the checker prevents it)', () => {
    expect(() => resolveTicketState(ticket({ ticket_type_id: '99' }), STATES)).toThrow(
      'ticket type "99" has no unarchived submitted state',
    );
  });
});

describe('rows of the later versions’ objects', () => {
  it('ticket states: archived defaults to false', () => {
    expect(
      ticketStateRows({
        workspace: { id: 'w' },
        ticket_states: [
          {
            id: 7001,
            category: 'in_progress',
            internal_label: 'Investigating',
            external_label: 'In progress',
          },
          { id: '7002', category: 'resolved', internal_label: 'Old', external_label: 'Old', archived: true },
        ],
      }),
    ).toEqual([
      {
        id: '7001',
        category: 'in_progress',
        internal_label: 'Investigating',
        external_label: 'In progress',
        archived: false,
      },
      { id: '7002', category: 'resolved', internal_label: 'Old', external_label: 'Old', archived: true },
    ]);
  });

  it('companies: company_id null and name "" by default', () => {
    expect(
      companyRows({
        workspace: { id: 'w' },
        companies: [{ id: 'a' }, { id: 'b', company_id: 'acme-1', name: 'Acme' }, { id: 'c', name: null }],
      }),
    ).toEqual([
      { id: 'a', company_id: null, name: '' },
      { id: 'b', company_id: 'acme-1', name: 'Acme' },
      { id: 'c', company_id: null, name: '' },
    ]);
  });

  it('ticket types: category Customer by default', () => {
    expect(ticketTypeRow({ id: '1', name: 'A' }).category).toBe('Customer');
    expect(ticketTypeRow({ id: '1', name: 'A', category: 'Tracker' }).category).toBe('Tracker');
  });

  it("a type's states: only types that list them, each pair once", () => {
    expect(
      typeStateRows({
        workspace: { id: 'w' },
        ticket_types: [
          { id: 71, name: 'A', ticket_state_ids: ['1', 2, '1'] },
          { id: '72', name: 'B' },
        ],
      }),
    ).toEqual([
      { ticket_type_id: '71', ticket_state_id: '1' },
      { ticket_type_id: '71', ticket_state_id: '2' },
    ]);
  });

  it("parts: 2.14's updated_attribute_data is stored without its type tags; null when absent", () => {
    const author = { id: '1' };
    // As Intercom's 2.14 shows it (a variable: the tags are not fields of the format's type).
    const tagged = {
      attribute: { type: 'attribute', id: 7, label: 'Progress' },
      value: { type: 'value', id: 'Fast', label: 'Fast' },
    };
    const withTags = partRow(ticket(), {
      id: '100',
      part_type: 'ticket_attribute_updated_by_admin',
      author,
      updated_attribute_data: tagged,
    });
    expect(withTags.updated_attribute_data).toEqual({
      attribute: { id: '7', label: 'Progress' },
      value: { id: 'Fast', label: 'Fast' },
    });
    const files = partRow(ticket(), {
      id: '101',
      part_type: 'ticket_attribute_updated_by_admin',
      author,
      updated_attribute_data: {
        attribute: { id: '10', label: 'Photo' },
        value: { id: [2], label: ['photo.png'] },
      },
    });
    expect(files.updated_attribute_data).toEqual({
      attribute: { id: '10', label: 'Photo' },
      value: { id: [2], label: ['photo.png'] },
    });
    expect(partRow(ticket(), { id: '102', part_type: 'comment', author }).updated_attribute_data).toBeNull();
    expect(
      partRow(ticket(), { id: '103', part_type: 'comment', author, updated_attribute_data: null })
        .updated_attribute_data,
    ).toBeNull();
  });
});
