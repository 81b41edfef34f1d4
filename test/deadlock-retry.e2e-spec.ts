import { IDS, partRows, seedWorkspace, ticketRow } from './support/factories';
import { putTicket, useSeededApp } from './support/app';
import { waitUntilBlockedBy } from './support/locks';

/**
 * A real deadlock, not a simulated one: the test holds the Operator bot's admin row (FOR UPDATE); the service
 * locks the ticket, then its part insert needs a KEY SHARE lock on that admin row (the author foreign key) and
 * waits; the test then asks for the ticket row. PostgreSQL's deadlock detector aborts the service's transaction
 * (it waited first, so its check runs first) with 40P01; the service must run it again and succeed.
 */
describe('deadlocks are retried inside the service', () => {
  const ctx = useSeededApp(seedWorkspace);

  const deadlocks = async () =>
    Number(
      (
        await ctx.t.db.query<{ deadlocks: string }>(
          'SELECT deadlocks::text FROM pg_stat_database WHERE datname = current_database()',
        )
      ).rows[0].deadlocks,
    );

  it('a deadlocked update is run again and applied exactly once', async () => {
    const before = await deadlocks();
    const locker = await ctx.t.db.connect();
    try {
      await locker.query('BEGIN');
      const { rows } = await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await locker.query('SELECT 1 FROM admins WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
        ctx.ws.workspaceId,
        IDS.bot,
      ]);

      const request = putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).then(
        (res) => res,
      );
      await waitUntilBlockedBy(ctx.t.db, rows[0].pid, 'intercom-tickets-service');
      // Closes the cycle; the service is aborted by the deadlock detector, which releases the ticket to us.
      await locker.query('SELECT 1 FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
        ctx.ws.workspaceId,
        IDS.ticket,
      ]);
      await locker.query('ROLLBACK');

      const res = await request;
      expect(res.status).toBe(200);
      expect(res.body.ticket_state).toBe('resolved');
    } finally {
      locker.release();
    }
    expect(await deadlocks()).toBeGreaterThan(before);
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('resolved');
    const stateParts = (await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).filter(
      (p) => p.part_type === 'ticket_state_updated_by_admin',
    );
    expect(stateParts).toHaveLength(1);
    const { rows: audit } = await ctx.t.db.query('SELECT 1 FROM audit_log WHERE workspace_id = $1', [
      ctx.ws.workspaceId,
    ]);
    expect(audit).toHaveLength(1);
  });
});
