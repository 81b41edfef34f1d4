import { IDS, seedWorkspace, ticketState } from './support/factories';
import { putTicket, useSeededApp } from './support/app';

describe('conditional updates: ETag and If-Match', () => {
  const ctx = useSeededApp(seedWorkspace);

  const version = async () =>
    (
      await ctx.t.db.query<{ version: string }>(
        'SELECT version::text FROM tickets WHERE workspace_id = $1 AND id = $2',
        [ctx.ws.workspaceId, IDS.ticket],
      )
    ).rows[0].version;

  it('every response carries a strong ETag that changes with each committed update, not with a no-op', async () => {
    const first = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    expect(first.headers.etag).toBe(`"${IDS.ticket}.1"`);
    const noop = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      ticket_attributes: { Priority: 'High' },
    }).expect(200);
    expect(noop.headers.etag).toBe(first.headers.etag);
    const changed = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'in_progress' }).expect(
      200,
    );
    expect(changed.headers.etag).toBe(`"${IDS.ticket}.2"`);
    expect(await version()).toBe('2');
  });

  it('If-Match with the current ETag applies the update', async () => {
    const { headers } = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    const res = await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'If-Match': headers.etag },
    ).expect(200);
    expect(res.body.ticket_state).toBe('resolved');
    expect(res.headers.etag).toBe(`"${IDS.ticket}.2"`);
    expect((await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).ticket.state).toBe('resolved');
  });

  it.each([
    ['a stale ETag', `"${IDS.ticket}.0"`],
    ['a weak ETag of the current version', `W/"${IDS.ticket}.1"`],
    ["another ticket's ETag", `"${IDS.ticketB}.1"`],
    ['junk', 'not-an-etag'],
  ])('If-Match with %s is 412 precondition_failed and writes nothing', async (_name, ifMatch) => {
    const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const res = await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'If-Match': ifMatch },
    ).expect(412);
    expect(res.body).toEqual({
      type: 'error.list',
      request_id: res.headers['x-request-id'],
      errors: [
        {
          code: 'precondition_failed',
          message: `If-Match does not match the ticket's current version (ETag "${IDS.ticket}.1"); fetch it again and retry`,
          field: 'If-Match',
        },
      ],
    });
    expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    expect(await version()).toBe('1');
  });

  it('If-Match: * and a list holding the current tag both match', async () => {
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'in_progress' },
      { 'If-Match': '*' },
    ).expect(200);
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { state: 'resolved' },
      { 'If-Match': `"x.9", "${IDS.ticket}.2"` },
    ).expect(200);
    expect(await version()).toBe('3');
  });

  it('a ticket changed by someone else in between gets 412: no lost update', async () => {
    const read = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { ticket_attributes: { Priority: 'Low' } }).expect(
      200,
    );
    await putTicket(
      ctx.t.http,
      ctx.ws.token,
      IDS.ticket,
      { ticket_attributes: { Priority: 'High' } },
      { 'If-Match': read.headers.etag },
    ).expect(412);
    expect((await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).ticket.attributes.Priority).toBe(
      'Low',
    );
  });

  it('the order of checks holds: an unknown ticket is 404 before If-Match is looked at', async () => {
    const res = await putTicket(ctx.t.http, ctx.ws.token, '999999', {}, { 'If-Match': '"999999.1"' }).expect(
      404,
    );
    expect(res.body.errors[0].code).toBe('ticket_not_found');
  });

  describe('a workspace that requires If-Match', () => {
    beforeEach(async () => {
      await ctx.t.db.query('UPDATE workspaces SET require_if_match = true WHERE workspace_id = $1', [
        ctx.ws.workspaceId,
      ]);
    });

    it('answers 428 precondition_required without If-Match and writes nothing', async () => {
      const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).expect(428);
      expect(res.body.errors).toEqual([
        {
          code: 'precondition_required',
          message: "This workspace requires If-Match with the ticket's ETag on every update",
          field: 'If-Match',
        },
      ]);
      expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    });

    it('applies an update with the current ETag', async () => {
      await putTicket(
        ctx.t.http,
        ctx.ws.token,
        IDS.ticket,
        { state: 'resolved' },
        { 'If-Match': `"${IDS.ticket}.1"` },
      ).expect(200);
      expect((await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).ticket.state).toBe('resolved');
    });
  });
});
