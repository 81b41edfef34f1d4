import { Client, type Pool } from 'pg';
import { IDS, type SeededWorkspace } from './factories';
import { sleep } from './server-process';

/**
 * Holds a ticket's row lock in an open transaction on a connection of its own, so that the server's update
 * of it must wait. `client.query('ROLLBACK')` releases it; `client.end()` releases it and closes.
 */
export async function lockTicket(
  url: string,
  ws: SeededWorkspace,
  id: string = IDS.ticket,
): Promise<{ client: Client; pid: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
    ws.workspaceId,
    id,
  ]);
  return { client, pid: rows[0].pid };
}

/**
 * Bounded poll (10 s) until a session waits on a lock that `pid` holds, the request under test is then in
 * flight; resolves with the waiting session's pid. With `applicationName`, only that application's sessions
 * count (spec files share the test database).
 */
export async function waitUntilBlockedBy(
  db: Pick<Pool, 'query'> | Pick<Client, 'query'>,
  pid: number,
  applicationName?: string,
): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await (db as Pool).query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE wait_event_type = 'Lock' AND $1 = ANY (pg_blocking_pids(pid))
          AND ($2::text IS NULL OR application_name = $2)`,
      [pid, applicationName ?? null],
    );
    if (rows[0]) return rows[0].pid;
    await sleep(50);
  }
  throw new Error("no query of the server ever waited on the test's lock");
}
