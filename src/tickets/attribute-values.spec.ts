import { errorOf, expectInvalid } from '../../test/support/api-errors';
import { type AttributeRule, diffAttributes, normalizeAttributeValue } from './attribute-values';
import type { DataType } from './entities/ticket-type-attribute.entity';

const HIGH = 'b1f0c7e2-2c3a-4d6e-9b1a-0f6c2d7e8a91';
const LOW = 'd3b2e9a4-4e5c-4f80-9d3c-2b8e4f9a0c13';
const ANCIENT = 'e4c3f0b5-5f6d-4a91-8e4d-3c9f5a0b1d24';

function rule(name: string, dataType: DataType, extra: Partial<AttributeRule> = {}): AttributeRule {
  return { name, dataType, requiredToCreate: false, inputOptions: null, ...extra };
}

const RULES = {
  title: rule('_default_title_', 'string', { requiredToCreate: true }),
  description: rule('_default_description_', 'string'),
  priority: rule('Priority', 'list', {
    inputOptions: {
      list_items: [
        { id: HIGH, label: 'High', archived: false },
        { id: LOW, label: 'Low' },
        { id: ANCIENT, label: 'Ancient', archived: true },
      ],
    },
  }),
  users: rule('Affected users', 'integer'),
  amount: rule('Amount', 'decimal'),
  reproducible: rule('Reproducible', 'boolean'),
  seenAt: rule('Seen at', 'datetime'),
  screenshots: rule('Screenshots', 'files'),
} as const;

const ALL_RULES = Object.values(RULES);

describe('normalizeAttributeValue', () => {
  type Case = [string, AttributeRule, unknown, unknown];
  const accepted: Case[] = [
    ['string ""', RULES.description, '', ''],
    ['string "x"', RULES.description, 'x', 'x'],
    ['string unicode', RULES.description, 'Ünïcødé 🐞 漢字', 'Ünïcødé 🐞 漢字'],
    ['string null (clears)', RULES.description, null, null],
    ['integer 0', RULES.users, 0, 0],
    ['integer -5', RULES.users, -5, -5],
    ['integer 2^53 - 1 (largest safe)', RULES.users, 2 ** 53 - 1, 2 ** 53 - 1],
    ['integer -(2^53 - 1) (smallest safe)', RULES.users, -(2 ** 53 - 1), -(2 ** 53 - 1)],
    ['decimal 0', RULES.amount, 0, 0],
    ['decimal 1.25', RULES.amount, 1.25, 1.25],
    ['decimal -3', RULES.amount, -3, -3],
    ['decimal 1e300', RULES.amount, 1e300, 1e300],
    ['boolean true', RULES.reproducible, true, true],
    ['boolean false', RULES.reproducible, false, false],
    ['datetime 0', RULES.seenAt, 0, 0],
    ['datetime 1717021671', RULES.seenAt, 1_717_021_671, 1_717_021_671],
    ['datetime 2^53 - 1', RULES.seenAt, 2 ** 53 - 1, 2 ** 53 - 1],
    ['list label', RULES.priority, 'Low', 'Low'],
    ['list id, stored as its label', RULES.priority, LOW, 'Low'],
    ['list id of an item without an archived flag', RULES.priority, HIGH, 'High'],
  ];
  it.each(accepted)('accepts %s', (_label, attribute, value, stored) => {
    expect(normalizeAttributeValue(attribute, value)).toEqual(stored);
  });

  const rejected: [string, AttributeRule, unknown][] = [
    ['string 1', RULES.description, 1],
    ['string true', RULES.description, true],
    ['string {}', RULES.description, {}],
    ['string []', RULES.description, []],
    ['null on a required_to_create string', RULES.title, null],
    ['integer 1.5', RULES.users, 1.5],
    ['integer "3"', RULES.users, '3'],
    ['integer 2^53', RULES.users, 2 ** 53],
    ['integer -(2^53)', RULES.users, -(2 ** 53)],
    ['integer 9007199254740993 (parsed: 2^53)', RULES.users, JSON.parse('9007199254740993')],
    ['integer -9007199254740993 (parsed: -(2^53))', RULES.users, JSON.parse('-9007199254740993')],
    ['integer 2^53 + 2', RULES.users, 2 ** 53 + 2],
    ['integer -(2^53) - 2', RULES.users, -(2 ** 53) - 2],
    ['integer true', RULES.users, true],
    ['integer 1e300', RULES.users, 1e300],
    ['integer NaN', RULES.users, Number.NaN],
    ['decimal "1.0"', RULES.amount, '1.0'],
    ['decimal true', RULES.amount, true],
    ['decimal Infinity', RULES.amount, Number.POSITIVE_INFINITY],
    ['decimal -Infinity', RULES.amount, Number.NEGATIVE_INFINITY],
    ['decimal NaN', RULES.amount, Number.NaN],
    ['boolean "true"', RULES.reproducible, 'true'],
    ['boolean 0', RULES.reproducible, 0],
    ['boolean 1', RULES.reproducible, 1],
    ['datetime -1', RULES.seenAt, -1],
    ['datetime 1.5', RULES.seenAt, 1.5],
    ['datetime "2024-01-01"', RULES.seenAt, '2024-01-01'],
    ['datetime true', RULES.seenAt, true],
    ['datetime 2^53', RULES.seenAt, 2 ** 53],
    ['datetime 9007199254740993 (parsed: 2^53)', RULES.seenAt, JSON.parse('9007199254740993')],
    ['list label in another case', RULES.priority, 'low'],
    ['list archived label', RULES.priority, 'Ancient'],
    ['list archived id', RULES.priority, ANCIENT],
    ['list number', RULES.priority, 1],
    ['list unknown label', RULES.priority, 'Nope'],
    ['list object with an id', RULES.priority, { id: LOW }],
    ['list without input_options', rule('Bare list', 'list'), 'Low'],
    ['files []', RULES.screenshots, []],
    ['files [{url}]', RULES.screenshots, [{ url: 'x' }]],
    ['files "x"', RULES.screenshots, 'x'],
    ['files null', RULES.screenshots, null],
  ];
  it.each(rejected)(
    'rejects %s with parameter_invalid on ticket_attributes.<name>',
    (_label, attribute, value) => {
      const error = expectInvalid(
        () => normalizeAttributeValue(attribute, value),
        `ticket_attributes.${attribute.name}`,
      );
      expect(error.message).toContain(attribute.name);
    },
  );

  it('says which integers are accepted', () => {
    expect(errorOf(() => normalizeAttributeValue(RULES.users, 2 ** 53)).message).toBe(
      'Affected users must be an integer between -(2^53 - 1) and 2^53 - 1',
    );
    expect(errorOf(() => normalizeAttributeValue(RULES.seenAt, 2 ** 53)).message).toBe(
      'Seen at must be a unix timestamp in whole seconds (an integer between 0 and 2^53 - 1)',
    );
  });

  it('lists the allowed labels, not the archived one, when a list value is rejected', () => {
    const error = expectInvalid(
      () => normalizeAttributeValue(RULES.priority, 'Nope'),
      'ticket_attributes.Priority',
    );
    expect(error.message).toContain('"High"');
    expect(error.message).toContain('"Low"');
    expect(error.message).not.toContain('Ancient');
  });
});

describe('diffAttributes', () => {
  const stored = { _default_title_: 'Login fails', Priority: 'High', Amount: 2 };

  describe('attribute names that are JavaScript internals are data', () => {
    const INTERNALS = [
      rule('__proto__', 'string'),
      rule('constructor', 'string'),
      rule('toString', 'integer'),
      rule('hasOwnProperty', 'boolean'),
    ];
    // As the request parser and the database driver produce them: JSON.parse makes `__proto__` an own key.
    const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

    it('sets each of them on a ticket that has none', () => {
      const input = json('{"__proto__":"p","constructor":"c","toString":1,"hasOwnProperty":true}');
      expect(diffAttributes(INTERNALS, input, {})).toEqual([
        { name: '__proto__', value: 'p' },
        { name: 'constructor', value: 'c' },
        { name: 'toString', value: 1 },
        { name: 'hasOwnProperty', value: true },
      ]);
    });

    it('clearing them on a ticket that has none is no change (the prototype is not a stored value)', () => {
      const input = json('{"__proto__":null,"constructor":null,"toString":null,"hasOwnProperty":null}');
      expect(diffAttributes(INTERNALS, input, {})).toEqual([]);
    });

    it('compares with the stored own values', () => {
      const current = json(
        '{"__proto__":"p","constructor":"c","toString":1,"hasOwnProperty":true}',
      ) as Record<string, string | number | boolean>;
      const input = json('{"__proto__":"p","constructor":"c2","toString":null,"hasOwnProperty":true}');
      expect(diffAttributes(INTERNALS, input, current)).toEqual([
        { name: 'constructor', value: 'c2' },
        { name: 'toString', value: null },
      ]);
    });

    it('an internal name the type lacks is an extra attribute', () => {
      const error = expectInvalid(
        () => diffAttributes(ALL_RULES, json('{"__proto__":"x","toString":1}'), stored),
        'ticket_attributes',
      );
      expect(error.message).toBe(
        'Extra attributes provided that are not found on ticket type: __proto__, toString',
      );
    });
  });

  it('returns the changed attributes in request key order, list values as labels', () => {
    const changes = diffAttributes(
      ALL_RULES,
      { Reproducible: true, Priority: LOW, _default_title_: 'New' },
      stored,
    );
    expect(changes).toEqual([
      { name: 'Reproducible', value: true },
      { name: 'Priority', value: 'Low' },
      { name: '_default_title_', value: 'New' },
    ]);
  });

  it('leaves out values equal to the stored ones, a list id included', () => {
    const input = { _default_title_: 'Login fails', Priority: HIGH, Amount: 2, Reproducible: false };
    expect(diffAttributes(ALL_RULES, input, stored)).toEqual([{ name: 'Reproducible', value: false }]);
    expect(diffAttributes(ALL_RULES, { Priority: 'High' }, stored)).toEqual([]);
  });

  it('reports a clear as a null change, and clearing an absent attribute as no change', () => {
    expect(diffAttributes(ALL_RULES, { Amount: null }, stored)).toEqual([{ name: 'Amount', value: null }]);
    expect(diffAttributes(ALL_RULES, { _default_description_: null }, stored)).toEqual([]);
  });

  it('returns nothing for an empty object', () => {
    expect(diffAttributes(ALL_RULES, {}, stored)).toEqual([]);
  });

  it('rejects unknown names, all of them in request order, on the field ticket_attributes', () => {
    const error = expectInvalid(
      () => diffAttributes(ALL_RULES, { Amount: 3, Nope: 1, Other: 'x' }, stored),
      'ticket_attributes',
    );
    expect(error.message).toBe('Extra attributes provided that are not found on ticket type: Nope, Other');
  });

  it('matches names exactly (case-sensitive)', () => {
    const error = expectInvalid(() => diffAttributes(ALL_RULES, { amount: 3 }, stored), 'ticket_attributes');
    expect(error.message).toBe('Extra attributes provided that are not found on ticket type: amount');
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'treats %s as an unknown attribute, not as an object builtin',
    (name) => {
      const input = JSON.parse(`{"Amount": 3, ${JSON.stringify(name)}: {"polluted": true}}`) as Record<
        string,
        unknown
      >;
      const error = expectInvalid(() => diffAttributes(ALL_RULES, input, stored), 'ticket_attributes');
      expect(error.message).toBe(`Extra attributes provided that are not found on ticket type: ${name}`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('compares with own stored values only, not inherited properties', () => {
    const rules = [rule('toString', 'string')];
    expect(diffAttributes(rules, { toString: null }, {})).toEqual([]);
    expect(diffAttributes(rules, { toString: 'x' }, {})).toEqual([{ name: 'toString', value: 'x' }]);
  });

  it('validates every value, reporting the bad attribute', () => {
    expectInvalid(
      () => diffAttributes(ALL_RULES, { Amount: 3, 'Affected users': 1.5 }, stored),
      'ticket_attributes.Affected users',
    );
  });
});
