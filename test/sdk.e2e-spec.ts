import { IntercomClient as IntercomV7, type Intercom as IntercomV7Types } from 'intercom-client';
import { IntercomClient as IntercomV6 } from 'intercom-client-v6';
import { auditRows, IDS, partRows, seedWorkspace, ticketRow } from './support/factories';
import { useSeededApp } from './support/app';
import { COMPANY, STATES, statesSnapshot } from './support/states';

/**
 * The official SDKs pointed at this service with their own default versions (issue #11): intercom-client 6.x
 * sends `Intercom-Version: 2.11`, 7.x sends `2.14`, whatever the workspace's default (2.9 here).
 */
describe('official intercom-client SDK, with no version option', () => {
  const ctx = useSeededApp(() => seedWorkspace(statesSnapshot), { listen: true });

  it('v6 (2.11) updates state, attributes and assignment and reads the ticket back with tickets.get', async () => {
    const client = new IntercomV6({ token: ctx.ws.token, baseUrl: ctx.baseUrl });
    const ticket = await client.tickets.update(
      {
        ticket_id: IDS.ticket,
        state: 'in_progress',
        ticket_attributes: { _default_title_: 'From SDK v6', Priority: 'Low' },
        assignment: { admin_id: IDS.admin, assignee_id: IDS.team },
        is_shared: false,
        open: true,
        snoozed_until: 4_000_000_000,
      },
      { maxRetries: 0 },
    );
    expect(ticket).toMatchObject({
      type: 'ticket',
      id: IDS.ticket,
      category: 'Back-office',
      ticket_state: 'in_progress',
      ticket_state_internal_label: 'In progress',
      team_assignee_id: IDS.team,
      is_shared: false,
      open: true,
      snoozed_until: 4_000_000_000,
      ticket_attributes: { _default_title_: 'From SDK v6', Priority: 'Low' },
    });
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({
      state: 'in_progress',
      ticket_state_id: STATES.inProgress,
      team_assignee_id: IDS.team,
      is_shared: false,
    });
    expect(row.attributes).toMatchObject({ _default_title_: 'From SDK v6', Priority: 'Low' });
    expect((await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).map((p) => p.part_type)).toEqual([
      'comment',
      'ticket_attribute_updated_by_admin',
      'ticket_attribute_updated_by_admin',
      'ticket_state_updated_by_admin',
      'assignment',
      'snoozed',
    ]);

    const read = await client.tickets.get({ ticket_id: IDS.ticket }, { maxRetries: 0 });
    expect(read).toEqual(ticket);
  });

  it('v7 (2.14) updates with ticket_state_id and top-level admin_id / assignee_id, and reads it back', async () => {
    const client = new IntercomV7({ token: ctx.ws.token, baseUrl: ctx.baseUrl, maxRetries: 0 });
    const ticket = await client.tickets.update({
      ticket_id: IDS.ticket,
      ticket_state_id: STATES.investigating,
      ticket_attributes: { 'Affected users': 12 },
      admin_id: Number(IDS.admin),
      assignee_id: IDS.otherAdmin,
      company_id: COMPANY,
    });
    expect(ticket).toMatchObject({
      id: IDS.ticket,
      ticket_state: {
        type: 'ticket_state',
        id: STATES.investigating,
        category: 'in_progress',
        internal_label: 'Investigating',
      },
      admin_assignee_id: IDS.otherAdmin,
      ticket_attributes: { 'Affected users': 12 },
    });
    const attributePart = ticket?.ticket_parts?.ticket_parts?.find(
      (part) => part.part_type === 'ticket_attribute_updated_by_admin',
    );
    expect(attributePart?.updated_attribute_data).toEqual({
      attribute: { type: 'attribute', id: '211', label: 'Affected users' },
      value: { type: 'value', id: '12', label: '12' },
    });
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({
      state: 'in_progress',
      ticket_state_id: STATES.investigating,
      admin_assignee_id: IDS.otherAdmin,
      company_id: COMPANY,
    });
    expect((await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).length).toBe(1);
    const assignment = (await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).at(-1);
    expect(assignment).toMatchObject({ part_type: 'assignment', author_id: IDS.admin });

    expect(await client.tickets.get({ ticket_id: IDS.ticket })).toEqual(ticket);
    const states = await client.ticketStates.listTicketStates();
    expect(states.data?.map((state) => state?.id)).toEqual(Object.values(STATES));
  });

  it('v7 (2.14) still sends a 2.9-shaped request through: state and nested assignment', async () => {
    const client = new IntercomV7({ token: ctx.ws.token, baseUrl: ctx.baseUrl, maxRetries: 0 });
    const request = {
      ticket_id: IDS.ticket,
      state: 'resolved',
      assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
    } as unknown as IntercomV7Types.UpdateTicketRequest;
    const ticket = (await client.tickets.update(request)) as unknown as Record<string, unknown>;
    expect(ticket).toMatchObject({
      ticket_state: { id: STATES.resolved, category: 'resolved' },
      admin_assignee_id: IDS.otherAdmin,
    });
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toMatchObject({
      state: 'resolved',
      ticket_state_id: STATES.resolved,
    });
  });

  it('both surface a 404 and a 400 as errors with status and error.list body, and nothing is written', async () => {
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const v6 = new IntercomV6({ token: ctx.ws.token, baseUrl: ctx.baseUrl });
    const v7 = new IntercomV7({ token: ctx.ws.token, baseUrl: ctx.baseUrl, maxRetries: 0 });
    const notFound = {
      statusCode: 404,
      body: { type: 'error.list', errors: [{ code: 'ticket_not_found', message: 'Ticket not found' }] },
    };
    await expect(
      v6.tickets.update({ ticket_id: '999999', state: 'resolved' }, { maxRetries: 0 }),
    ).rejects.toMatchObject(notFound);
    await expect(v7.tickets.update({ ticket_id: '999999' })).rejects.toMatchObject(notFound);
    await expect(v7.tickets.get({ ticket_id: '999999' })).rejects.toMatchObject(notFound);
    await expect(
      v7.tickets.update({ ticket_id: IDS.ticket, admin_id: Number(IDS.admin), assignee_id: '123456' }),
    ).rejects.toMatchObject({
      statusCode: 404,
      body: { errors: [{ code: 'assignee_not_found', field: 'assignee_id' }] },
    });
    await expect(
      v7.tickets.update({ ticket_id: IDS.ticket, ticket_state_id: STATES.archived }),
    ).rejects.toMatchObject({
      statusCode: 400,
      body: {
        errors: [
          {
            code: 'ticket_state_id_invalid',
            message: 'Ticket state id is not valid or is not associated with the ticket type',
          },
        ],
      },
    });
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});
