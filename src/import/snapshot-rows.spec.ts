import { ticketRow } from './snapshot-rows';

describe('ticketRow', () => {
  it('keeps attribute names that are JavaScript internals as own keys, with their values', () => {
    const attributes = JSON.parse(
      '{"__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h","cleared":null}',
    ) as Record<string, unknown>;

    const row = ticketRow({ id: '1', ticket_type_id: '2', ticket_attributes: attributes }, undefined);

    expect(Object.getPrototypeOf(row.attributes)).toBe(Object.prototype);
    expect(Object.keys(row.attributes)).toEqual(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(JSON.stringify(row.attributes)).toBe(
      '{"__proto__":"p","constructor":"c","toString":"t","hasOwnProperty":"h"}',
    );
  });
});
