import { API_VERSIONS, atLeast, compareVersions, parseVersion } from './versions';

describe('parseVersion', () => {
  it.each(['1.0', '1.4', '2.0', '2.8', '2.9', '2.10', '2.11', '2.12', '2.13', '2.14', '2.15', '2.16'])(
    'accepts %s',
    (v) => expect(parseVersion(v)).toBe(v),
  );
  it('maps Unstable to Preview', () => expect(parseVersion('Unstable')).toBe('Preview'));
  it('accepts Preview', () => expect(parseVersion('Preview')).toBe('Preview'));
  it.each(['preview', 'unstable', '2.17', '3.0', '2.9 ', '', '2', 'v2.9', '1.5', '2.1.0', '02.10'])(
    'rejects %j',
    (v) => expect(parseVersion(v)).toBeNull(),
  );
});

describe('compareVersions', () => {
  it('orders numbered versions numerically, not as text', () => {
    expect(compareVersions('2.8', '2.9')).toBeLessThan(0);
    expect(compareVersions('1.4', '2.0')).toBeLessThan(0);
    expect(compareVersions('2.9', '2.10')).toBeLessThan(0);
    expect(compareVersions('2.10', '2.16')).toBeLessThan(0);
    expect(compareVersions('2.9', '2.9')).toBe(0);
  });
  it('puts Preview after every numbered version', () => {
    expect(compareVersions('Preview', '2.16')).toBeGreaterThan(0);
    expect(API_VERSIONS.at(-1)).toBe('Preview');
  });
  it('atLeast', () => {
    expect(atLeast('2.12', '2.12')).toBe(true);
    expect(atLeast('2.11', '2.12')).toBe(false);
    expect(atLeast('Preview', '2.16')).toBe(true);
  });
});
