import { randomUUID } from 'node:crypto';
import { IDS, partRows, seedWorkspace, ticketState } from './support/factories';
import { putTicket, useSeededApp } from './support/app';
import { IdempotencyCleaner } from '../src/tickets/idempotency-cleaner';

describe('Idempotency-Key', () => {
  const ctx = useSeededApp(seedWorkspace);

  /** PUT /tickets/:id with an Idempotency-Key, as the seeded workspace. */
  const putWithKey = (id: string, body: unknown, key: string) =>
    putTicket(ctx.t.http, ctx.ws.token, id, body, { 'Idempotency-Key': key });

  const keys = async () =>
    (
      await ctx.t.db.query<{ key: string; ticket_id: string; status: number }>(
        'SELECT key, ticket_id::text, status FROM idempotency_keys WHERE workspace_id = $1',
        [ctx.ws.workspaceId],
      )
    ).rows;

  it('replays the first response byte for byte, with the same ETag, and writes once', async () => {
    const key = randomUUID();
    const body = { state: 'resolved', ticket_attributes: { Priority: 'Low' } };
    const first = await putWithKey(IDS.ticket, body, key).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await putWithKey(IDS.ticket, body, key).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(3);
    expect(await keys()).toEqual([{ key, ticket_id: IDS.ticket, status: 200 }]);
  });

  it('replays even after the ticket changed since (the stored response is what the key bought)', async () => {
    const key = randomUUID();
    const first = await putWithKey(IDS.ticket, { state: 'in_progress' }, key);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).expect(200);
    const replay = await putWithKey(IDS.ticket, { state: 'in_progress' }, key);
    expect(replay.text).toBe(first.text);
    expect((await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).ticket.state).toBe('resolved');
  });

  it.each([
    ['a different body', IDS.ticket, { state: 'waiting_on_customer' }],
    ['another ticket', IDS.ticketB, { state: 'resolved' }],
  ])('the same key with %s is 422 idempotency_key_reused and writes nothing', async (_name, id, body) => {
    const key = randomUUID();
    await putWithKey(IDS.ticket, { state: 'resolved' }, key).expect(200);
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, id);
    const res = await putWithKey(id, body, key).expect(422);
    expect(res.body.errors).toEqual([
      {
        code: 'idempotency_key_reused',
        message: 'This Idempotency-Key was already used with a different request (ticket or body)',
        field: 'Idempotency-Key',
      },
    ]);
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, id)).toEqual(before);
  });

  it('keys are per workspace: another workspace may use the same key', async () => {
    const other = await seedWorkspace();
    const key = randomUUID();
    await putWithKey(IDS.ticket, { state: 'resolved' }, key).expect(200);
    const res = await putTicket(
      ctx.t.http,
      other.token,
      IDS.ticket,
      { state: 'in_progress' },
      { 'Idempotency-Key': key },
    ).expect(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect((await ticketState(ctx.t.db, other.workspaceId, IDS.ticket)).ticket.state).toBe('in_progress');
  });

  it('a rejected request stores nothing, so a corrected retry with the same key runs', async () => {
    const key = randomUUID();
    await putWithKey(IDS.ticket, { state: 'bogus' }, key).expect(400);
    expect(await keys()).toEqual([]);
    await putWithKey(IDS.ticket, { state: 'bogus' }, key).expect(400);
    const ok = await putWithKey(IDS.ticket, { state: 'resolved' }, randomUUID());
    expect(ok.status).toBe(200);
  });

  it.each([['x'.repeat(256)], ['has space'], ['tab\there']])(
    'an invalid key %j is 400 on Idempotency-Key',
    async (key) => {
      const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      const res = await putWithKey(IDS.ticket, { state: 'resolved' }, key).expect(400);
      expect(res.body.errors[0]).toMatchObject({ code: 'parameter_invalid', field: 'Idempotency-Key' });
      expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    },
  );

  it('an expired record is not replayed, and the cleaner deletes expired records', async () => {
    const key = randomUUID();
    await putWithKey(IDS.ticket, { state: 'resolved' }, key).expect(200);
    await ctx.t.db.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE workspace_id = $1`,
      [ctx.ws.workspaceId],
    );
    // Expired: the same key now runs the request again (on a ticket already resolved: a no-op, no replay).
    const rerun = await putWithKey(IDS.ticket, { state: 'resolved' }, key).expect(200);
    expect(rerun.headers['idempotent-replayed']).toBeUndefined();
    const live = await ctx.t.db.query<{ expired: boolean }>(
      'SELECT expires_at <= now() AS expired FROM idempotency_keys WHERE workspace_id = $1 AND key = $2',
      [ctx.ws.workspaceId, key],
    );
    expect(live.rows).toEqual([{ expired: false }]);

    const other = randomUUID();
    await putWithKey(IDS.ticketB, { state: 'resolved' }, other).expect(200);
    await ctx.t.db.query(
      `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = $1`,
      [other],
    );
    expect(await ctx.t.app.get(IdempotencyCleaner).runOnce()).toBeGreaterThanOrEqual(1);
    expect((await keys()).map((k) => k.key)).toEqual([key]);
  });
});
