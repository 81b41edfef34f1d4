import { API_VERSIONS, compareVersions } from '../../common/versioning/versions';
import { TICKET_VERSION_CHANGES, ticketTransformsFor } from './ticket-versions';

describe('TICKET_VERSION_CHANGES', () => {
  it('are in version order, each with a document edit and a description', () => {
    const versions = TICKET_VERSION_CHANGES.map((change) => change.version);
    expect([...versions].sort(compareVersions)).toEqual(versions);
    for (const change of TICKET_VERSION_CHANGES) {
      expect(typeof change.document).toBe('function');
      expect(change.description.length).toBeGreaterThan(10);
    }
  });

  it('change the bodies at 2.10, 2.12, 2.14 and 2.16 only; 2.11, 2.13 and Preview change the document alone', () => {
    expect(TICKET_VERSION_CHANGES.filter((change) => change.ticket).map((change) => change.version)).toEqual([
      '2.10',
      '2.12',
      '2.14',
      '2.16',
    ]);
    expect(TICKET_VERSION_CHANGES.filter((change) => !change.ticket).map((change) => change.version)).toEqual(
      ['2.11', '2.13', '2.14', 'Preview'],
    );
  });

  it('give each version the body transforms up to it', () => {
    const counts = Object.fromEntries(
      API_VERSIONS.map((version) => [version, ticketTransformsFor(version).length]),
    );
    expect(counts).toMatchObject({
      '1.0': 0,
      '2.9': 0,
      '2.10': 1,
      '2.11': 1,
      '2.12': 2,
      '2.13': 2,
      '2.14': 3,
      '2.15': 3,
      '2.16': 4,
      Preview: 4,
    });
  });
});
