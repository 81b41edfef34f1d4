import { ApiError } from '../common/errors/api-error';
import { checkIdempotencyKey, checkIfMatch, ticketEtag } from './preconditions';

describe('ticketEtag', () => {
  it('is a strong tag of id and version', () => expect(ticketEtag('447', '3')).toBe('"447.3"'));
});

describe('checkIfMatch', () => {
  const current = ticketEtag('447', '3');
  it.each([undefined, '*', ' * ', '"447.3"', '"447.2", "447.3"', '"x","447.3"'])('holds for %j', (header) =>
    expect(() => checkIfMatch(header, current)).not.toThrow(),
  );
  it.each(['"447.2"', 'W/"447.3"', '"447.3', '447.3', '', '"448.3"'])('fails with 412 for %j', (header) => {
    expect(() => checkIfMatch(header, current)).toThrow(ApiError);
    try {
      checkIfMatch(header, current);
    } catch (error) {
      expect(error).toMatchObject({ code: 'precondition_failed', status: 412, field: 'If-Match' });
    }
  });
});

describe('checkIdempotencyKey', () => {
  it('accepts a UUID and absence', () => {
    expect(checkIdempotencyKey('3f0e4c9a-1b2c-4d5e-8f90-a1b2c3d4e5f6')).toBe(
      '3f0e4c9a-1b2c-4d5e-8f90-a1b2c3d4e5f6',
    );
    expect(checkIdempotencyKey(undefined)).toBeUndefined();
  });
  it.each(['', 'with space', 'x'.repeat(256), 'ünïcode', 'tab\there'])('rejects %j', (key) =>
    expect(() => checkIdempotencyKey(key)).toThrow(expect.objectContaining({ code: 'parameter_invalid' })),
  );
});
