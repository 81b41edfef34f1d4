/**
 * A failure to start that the operator can fix: its message is one line that names the setting and says
 * what to do. It never holds a password or a driver's stack, so main.ts and the CLI print it as it is.
 */
export class StartupError extends Error {}

/** `host H, port P, database D` of a DATABASE_URL: what the operator needs to find it; never the password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default)';
    return `host ${parsed.hostname || 'localhost'}, port ${parsed.port || '5432'}, database ${database}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** The driver's connection error as one actionable line (PostgreSQL SQLSTATEs or Node's socket codes). */
export function connectionFailure(error: unknown, url: string): StartupError {
  const where = `cannot connect to DATABASE_URL (${describeDatabaseUrl(url)})`;
  const code = (error as { code?: string } | null)?.code;
  let user = 'the user';
  try {
    user = `user "${decodeURIComponent(new URL(url).username) || process.env.USER || ''}"`;
  } catch {
    // describeDatabaseUrl already says the URL is unparsable.
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new StartupError(`${where}: connection refused; is PostgreSQL running there?`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`${where}: the host name does not resolve`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new StartupError(`${where}: no answer from the host`);
    case '28P01':
      return new StartupError(`${where}: password authentication failed for ${user}; fix DATABASE_URL`);
    case '28000':
      return new StartupError(
        `${where}: ${user} is not allowed in (no such role, or pg_hba.conf rejects it)`,
      );
    case '3D000':
      return new StartupError(`${where}: the database does not exist; create it or fix DATABASE_URL`);
    default:
      // pg's own timeout has no code; anything else is named by its code only (a message might quote input).
      if (error instanceof Error && /timeout/i.test(error.message)) {
        return new StartupError(`${where}: no answer within 5 s`);
      }
      return new StartupError(`${where}${code ? ` (${code})` : ''}`);
  }
}
