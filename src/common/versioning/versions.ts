/** Every version a client may name in `Intercom-Version` (update-ticket-2.9.md, BEHAVIOUR.md §5). */
export const NUMBERED_VERSIONS = [
  '1.0', '1.1', '1.2', '1.3', '1.4',
  '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9',
] as const; // prettier-ignore

export type NumberedVersion = (typeof NUMBERED_VERSIONS)[number];
export type ApiVersion = NumberedVersion | 'Preview';

export const DEFAULT_VERSION: ApiVersion = '2.9';

const KNOWN = new Set<string>(NUMBERED_VERSIONS);

/**
 * The two version errors' messages, written once for the interceptor and the docs' examples. Intercom's own
 * wording comes first (clients may match on it); the unknown-version one then lists what is supported.
 */
export const VERSION_MESSAGES = {
  unknown:
    'The requested version could not be found. Supported versions: ' +
    `${NUMBERED_VERSIONS[0]}–${NUMBERED_VERSIONS[NUMBERED_VERSIONS.length - 1]}, Preview, Unstable`,
  unavailable: 'Requested resource is not available in current API version.',
} as const;

/** Parses a header value; `Unstable` is an alias of `Preview`. Case-sensitive. Null when unknown. */
export function parseVersion(value: string): ApiVersion | null {
  if (value === 'Preview' || value === 'Unstable') return 'Preview';
  return KNOWN.has(value) ? (value as NumberedVersion) : null;
}

/** Orders versions; Preview is newer than every numbered version. */
export function compareVersions(a: ApiVersion, b: ApiVersion): number {
  return rank(a) - rank(b);
}

function rank(version: ApiVersion): number {
  return version === 'Preview' ? NUMBERED_VERSIONS.length : NUMBERED_VERSIONS.indexOf(version);
}

/**
 * Which wire contract serves a resolved version. Only 2.9 exists so far; Preview is served with it until
 * its own contract is built (BEHAVIOUR.md §5). A later version adds a member here and a case in the
 * request parser and response mapper, never a second controller.
 */
export type WireContract = '2.9';

export function contractFor(version: ApiVersion): WireContract {
  switch (version) {
    case 'Preview':
    case '2.9':
      return '2.9';
    default:
      // Callers only reach here with versions the interceptor let through (>= the route's minimum).
      return '2.9';
  }
}
