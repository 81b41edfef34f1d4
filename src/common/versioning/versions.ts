/** Every version a client may name in `Intercom-Version` (BEHAVIOUR.md §4, §6), oldest first. */
export const NUMBERED_VERSIONS = [
  '1.0', '1.1', '1.2', '1.3', '1.4',
  '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9',
  '2.10', '2.11', '2.12', '2.13', '2.14', '2.15', '2.16',
] as const; // prettier-ignore

export type NumberedVersion = (typeof NUMBERED_VERSIONS)[number];
export type ApiVersion = NumberedVersion | 'Preview';

/** Every resolved version, oldest first; Preview is newer than every numbered one. */
export const API_VERSIONS: readonly ApiVersion[] = [...NUMBERED_VERSIONS, 'Preview'];

export const DEFAULT_VERSION: ApiVersion = '2.9';

/** The oldest version with ticket endpoints (BEHAVIOUR.md §6). */
export const TICKETS_SINCE: ApiVersion = '2.9';

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

/** `version` is `since` or newer. */
export function atLeast(version: ApiVersion, since: ApiVersion): boolean {
  return rank(version) >= rank(since);
}

const RANKS = new Map<ApiVersion, number>(API_VERSIONS.map((version, index) => [version, index]));

function rank(version: ApiVersion): number {
  return RANKS.get(version)!;
}
