import { randomUUID } from 'node:crypto';
import { IDS, seedWorkspace } from './support/factories';
import { putTicket, useSeededApp } from './support/app';

type AuditRow = {
  ticket_id: string;
  request_id: string;
  token_id: string;
  admin_id: string | null;
  bot_id: string;
  changes: Record<string, { before: unknown; after: unknown }>;
  idempotency_key: string | null;
  version_before: string;
  version_after: string;
};

describe('audit log', () => {
  const ctx = useSeededApp(seedWorkspace);

  const audit = async () =>
    (
      await ctx.t.db.query<AuditRow>(
        `SELECT ticket_id::text, request_id, token_id::text, admin_id::text, bot_id::text, changes, idempotency_key,
                version_before::text, version_after::text
           FROM audit_log WHERE workspace_id = $1 ORDER BY id`,
        [ctx.ws.workspaceId],
      )
    ).rows;

  it('writes one row per committed update: who, each field before and after, request id, key, versions', async () => {
    const key = randomUUID();
    const res = await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      {
        ticket_attributes: { Priority: 'Low', _default_description_: 'new' },
        state: 'in_progress',
        is_shared: false,
        assignment: { admin_id: IDS.admin, assignee_id: IDS.team },
      },
      { 'Idempotency-Key': key },
    ).expect(200);
    const { rows: tokens } = await ctx.t.db.query<{ id: string }>(
      'SELECT id::text FROM access_tokens WHERE workspace_id = $1',
      [ctx.ws.workspaceId],
    );
    expect(await audit()).toEqual([
      {
        ticket_id: IDS.ticket,
        request_id: res.headers['x-request-id'],
        token_id: tokens[0].id,
        admin_id: IDS.admin,
        bot_id: IDS.bot,
        changes: {
          state: { before: 'submitted', after: 'in_progress' },
          // The workspace's default states, created by the import (their ids come from a sequence).
          ticket_state_id: { before: expect.stringMatching(/^\d+$/), after: expect.stringMatching(/^\d+$/) },
          is_shared: { before: true, after: false },
          team_assignee_id: { before: null, after: IDS.team },
          'ticket_attributes.Priority': { before: 'High', after: 'Low' },
          'ticket_attributes._default_description_': { before: null, after: 'new' },
        },
        idempotency_key: key,
        version_before: '1',
        version_after: '2',
      },
    ]);
  });

  it('writes nothing for a no-op, a rejected request or a replay', async () => {
    const key = randomUUID();
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'bogus' }).expect(400);
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'If-Match': '"447.0"' },
    ).expect(412);
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'Idempotency-Key': key },
    ).expect(200);
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'Idempotency-Key': key },
    ).expect(200);
    const rows = await audit();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      admin_id: null,
      changes: { state: { before: 'submitted', after: 'resolved' } },
    });
  });

  it('an attribute cleared with null is audited as before → null', async () => {
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { ticket_attributes: { Priority: null } }).expect(
      200,
    );
    expect((await audit())[0].changes).toEqual({
      'ticket_attributes.Priority': { before: 'High', after: null },
    });
  });
});
