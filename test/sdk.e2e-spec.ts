import { IntercomClient as IntercomV7, type Intercom as IntercomV7Types } from 'intercom-client';
import { IntercomClient as IntercomV6 } from 'intercom-client-v6';
import { IDS, partRows, seedWorkspace, ticketRow } from './support/factories';
import { useSeededApp } from './support/app';

/** The official SDK pointed at this service (issue #2 "Done when"). */
describe('official intercom-client SDK', () => {
  const ctx = useSeededApp(seedWorkspace, { listen: true });

  it('v6 with version 2.9 updates state, attributes and assignment and gets the ticket back', async () => {
    const client = new IntercomV6({ token: ctx.ws.token, baseUrl: ctx.baseUrl, version: '2.9' });
    const ticket = await client.tickets.update(
      {
        ticket_id: IDS.ticket,
        state: 'in_progress',
        ticket_attributes: { _default_title_: 'From SDK v6', Priority: 'Low' },
        assignment: { admin_id: IDS.admin, assignee_id: IDS.team },
        is_shared: false,
      },
      { maxRetries: 0 },
    );
    expect(ticket).toMatchObject({
      type: 'ticket',
      id: IDS.ticket,
      ticket_state: 'in_progress',
      team_assignee_id: IDS.team,
      is_shared: false,
      ticket_attributes: { _default_title_: 'From SDK v6', Priority: 'Low' },
    });
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({ state: 'in_progress', team_assignee_id: IDS.team, is_shared: false });
    expect(row.attributes).toMatchObject({ _default_title_: 'From SDK v6', Priority: 'Low' });
  });

  it('v7 with version 2.9 sends the 2.9 shape plus its own fields, which are ignored', async () => {
    const client = new IntercomV7({
      token: ctx.ws.token,
      baseUrl: ctx.baseUrl,
      version: '2.9',
      maxRetries: 0,
    });
    // v7's types describe the 2.14 request; the 2.9 fields go through as extra properties.
    const request = {
      ticket_id: IDS.ticket,
      state: 'resolved',
      ticket_attributes: { 'Affected users': 12 },
      assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
      open: true,
      snoozed_until: 1673609604,
      admin_id: 1,
      ticket_state_id: '9',
    } as unknown as IntercomV7Types.UpdateTicketRequest;
    const ticket = (await client.tickets.update(request)) as unknown as Record<string, unknown>;
    expect(ticket).toMatchObject({
      id: IDS.ticket,
      ticket_state: 'resolved',
      admin_assignee_id: IDS.otherAdmin,
      ticket_attributes: { 'Affected users': 12 },
    });
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({ state: 'resolved', admin_assignee_id: IDS.otherAdmin });
    expect((await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).map((p) => p.part_type)).toEqual([
      'comment',
      'ticket_attribute_updated_by_admin',
      'ticket_state_updated_by_admin',
      'assignment',
    ]);
  });

  it('both versions surface a 404 as an error with status and error.list body, and nothing is written', async () => {
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const v6 = new IntercomV6({ token: ctx.ws.token, baseUrl: ctx.baseUrl, version: '2.9' });
    const v7 = new IntercomV7({ token: ctx.ws.token, baseUrl: ctx.baseUrl, version: '2.9', maxRetries: 0 });
    const notFound = {
      statusCode: 404,
      body: { type: 'error.list', errors: [{ code: 'ticket_not_found', message: 'Ticket not found' }] },
    };
    await expect(
      v6.tickets.update({ ticket_id: '999999', state: 'resolved' }, { maxRetries: 0 }),
    ).rejects.toMatchObject(notFound);
    await expect(v7.tickets.update({ ticket_id: '999999' })).rejects.toMatchObject(notFound);
    await expect(
      v7.tickets.update({
        ticket_id: IDS.ticket,
        assignment: { admin_id: IDS.admin, assignee_id: '123456' },
      } as unknown as IntercomV7Types.UpdateTicketRequest),
    ).rejects.toMatchObject({ statusCode: 404, body: { errors: [{ code: 'assignee_not_found' }] } });
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});
