import { generateToken, hashToken, normalizeAuthorization } from './token-hash';

describe('normalizeAuthorization', () => {
  it('keeps a Bearer header', () => expect(normalizeAuthorization('Bearer abc')).toBe('Bearer abc'));
  it('turns Basic base64(token:) into Bearer token', () =>
    expect(normalizeAuthorization(`Basic ${Buffer.from('tok_123:').toString('base64')}`)).toBe(
      'Bearer tok_123',
    ));
  it('takes the user part of Basic even without a colon', () =>
    expect(normalizeAuthorization(`Basic ${Buffer.from('tok_123').toString('base64')}`)).toBe(
      'Bearer tok_123',
    ));
  it('rejects Basic with an empty user', () =>
    expect(normalizeAuthorization(`Basic ${Buffer.from(':pw').toString('base64')}`)).toBeUndefined());
  it('passes anything else through for the strategy to reject', () =>
    expect(normalizeAuthorization('Token abc')).toBe('Token abc'));
  it('is undefined without a header', () => expect(normalizeAuthorization(undefined)).toBeUndefined());
});

describe('tokens', () => {
  it('generates distinct tokens with a prefix', () => {
    const a = generateToken();
    expect(a).toMatch(/^tok_[A-Za-z0-9_-]{43}$/);
    expect(generateToken()).not.toBe(a);
  });
  it('hashes with SHA-256', () => expect(hashToken('x').toString('hex')).toHaveLength(64));
});
