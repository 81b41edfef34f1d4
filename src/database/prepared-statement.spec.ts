import { preparedStatement } from './prepared-statement';

describe('preparedStatement', () => {
  it('returns the name and text', () => {
    expect(preparedStatement('spec.select_one', 'SELECT 1')).toEqual({
      name: 'spec.select_one',
      text: 'SELECT 1',
    });
  });

  it('throws when a name is declared again with another text', () => {
    preparedStatement('spec.first', 'SELECT 1');
    expect(() => preparedStatement('spec.first', 'SELECT 2')).toThrow(
      'prepared statement "spec.first" is declared twice (with another text)',
    );
  });

  it('throws when a name is declared again with the same text', () => {
    preparedStatement('spec.same', 'SELECT $1');
    expect(() => preparedStatement('spec.same', 'SELECT $1')).toThrow(
      'prepared statement "spec.same" is declared twice (same text)',
    );
  });

  it("the service's statements all load, each under its own name", () => {
    // Loading the modules that declare statements runs every declaration: a duplicate would throw here.
    jest.isolateModules(() => {
      expect(jest.requireActual('../tickets/tickets.repository')).toBeDefined();
      expect(jest.requireActual('../auth/tokens.service')).toBeDefined();
    });
  });

  it('a module that declares a taken name fails to load', () => {
    jest.isolateModules(() => {
      const fresh = jest.requireActual<typeof import('./prepared-statement')>('./prepared-statement');
      jest.requireActual('../tickets/tickets.repository');
      const again = (): unknown => fresh.preparedStatement('tickets.write', 'SELECT 1');
      expect(again).toThrow('declared twice (with another text)');
    });
  });
});
