import { compareVersions, parseVersion } from './versions';

describe('parseVersion', () => {
  it.each(['1.0', '1.4', '2.0', '2.8', '2.9'])('accepts %s', (v) => expect(parseVersion(v)).toBe(v));
  it('maps Unstable to Preview', () => expect(parseVersion('Unstable')).toBe('Preview'));
  it('accepts Preview', () => expect(parseVersion('Preview')).toBe('Preview'));
  it.each(['preview', 'unstable', '2.10', '3.0', '2.9 ', '', '2', 'v2.9', '1.5', '2.14'])('rejects %j', (v) =>
    expect(parseVersion(v)).toBeNull(),
  );
});

describe('compareVersions', () => {
  it('orders numbered versions', () => {
    expect(compareVersions('2.8', '2.9')).toBeLessThan(0);
    expect(compareVersions('1.4', '2.0')).toBeLessThan(0);
    expect(compareVersions('2.9', '2.9')).toBe(0);
  });
  it('puts Preview after every numbered version', () =>
    expect(compareVersions('Preview', '2.9')).toBeGreaterThan(0));
});
