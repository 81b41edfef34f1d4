import request from 'supertest';
import { putTicket, useSeededApp } from './support/app';
import { auditRows, IDS, partRows, seedWorkspace, ticketRow, ticketState } from './support/factories';
import { COMPANY, STATES, statesSnapshot } from './support/states';

/*
 * BEHAVIOUR.md §6 through the API: custom, archived and other-type states; `state` and `ticket_state_id`;
 * close, reopen and snooze; companies; the performing admin; every error writing nothing.
 */

type Body = Record<string, unknown> & {
  ticket_parts: { ticket_parts: { part_type: string; author: { id: string } }[] };
};

describe('ticket states, open, snooze and companies (BEHAVIOUR.md §6)', () => {
  const ctx = useSeededApp(() => seedWorkspace(statesSnapshot));
  const put = (body: unknown, version = '2.14', id: string = IDS.ticket) =>
    putTicket(ctx.t.http, ctx.ws.token, id, body, { 'Intercom-Version': version });
  const row = () => ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
  const stored = () => ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
  const newParts = (body: Body, count: number) => body.ticket_parts.ticket_parts.slice(-count);

  /** The request is refused as `status` / `code` on `field`, and nothing about the ticket changed. */
  async function expectRefused(body: unknown, status: number, code: string, field: string, version = '2.14') {
    const before = await stored();
    const audits = (await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).length;
    const res = await put(body, version).expect(status);
    expect(res.body).toMatchObject({ type: 'error.list', errors: [{ code, field }] });
    expect(await stored()).toEqual(before);
    expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(audits);
    return res;
  }

  it('ticket_state_id moves to a custom state: the 2.14 body shows it, the row holds it and its category', async () => {
    const res = await put({ ticket_state_id: Number(STATES.investigating) }).expect(200);
    expect(res.body.ticket_state).toEqual({
      type: 'ticket_state',
      id: STATES.investigating,
      category: 'in_progress',
      internal_label: 'Investigating',
      external_label: 'Looking into it',
    });
    expect(newParts(res.body as Body, 1)).toEqual([
      expect.objectContaining({
        part_type: 'ticket_state_updated_by_admin',
        ticket_state: 'in_progress',
        previous_ticket_state: 'submitted',
        author: expect.objectContaining({ id: IDS.bot, type: 'bot' }),
      }),
    ]);
    expect(await row()).toMatchObject({
      state: 'in_progress',
      ticket_state_id: STATES.investigating,
      previous_ticket_state_id: STATES.submitted,
    });
    // 2.9 shows the category and the custom state's own labels.
    const old = await put({}, '2.9').expect(200);
    expect(old.body).toMatchObject({
      ticket_state: 'in_progress',
      ticket_state_internal_label: 'Investigating',
      ticket_state_external_label: 'Looking into it',
    });
  });

  it('state of the category the ticket is already in keeps a custom state (no part)', async () => {
    await put({ ticket_state_id: STATES.investigating }).expect(200);
    const before = await stored();
    const res = await put({ state: 'in_progress' }, '2.9').expect(200);
    expect(res.body.ticket_state).toBe('in_progress');
    expect(await stored()).toEqual(before);
  });

  it('state of another category moves to the type default (lowest-id unarchived) of it', async () => {
    const res = await put({ state: 'resolved' }, '2.11').expect(200);
    expect(res.body.ticket_state).toBe('resolved');
    expect(await row()).toMatchObject({ ticket_state_id: STATES.resolved, state: 'resolved' });
  });

  it('a change inside one category is a state part whose both states are that category', async () => {
    await put({ state: 'in_progress' }).expect(200);
    const res = await put({ ticket_state_id: STATES.investigating }, '2.16').expect(200);
    expect(newParts(res.body as Body, 1)).toEqual([
      expect.objectContaining({
        part_type: 'ticket_state_updated_by_admin',
        ticket_state: 'in_progress',
        previous_ticket_state: 'in_progress',
      }),
    ]);
    expect(res.body.previous_ticket_state_id).toBe(STATES.inProgress);
    expect(await row()).toMatchObject({ previous_ticket_state_id: STATES.inProgress });
  });

  it.each([
    ['an archived state', STATES.archived],
    ["another type's state", STATES.wideOnly],
    ['an unknown state', '999999'],
    ['a non-numeric id', 'open'],
  ])('ticket_state_id of %s is 400 ticket_state_id_invalid and writes nothing', async (_label, id) => {
    const res = await expectRefused(
      { ticket_state_id: id },
      400,
      'ticket_state_id_invalid',
      'ticket_state_id',
    );
    expect(res.body.errors[0].message).toBe(
      'Ticket state id is not valid or is not associated with the ticket type',
    );
  });

  it('state and ticket_state_id of different categories is 400 parameter_invalid and writes nothing', async () => {
    await expectRefused(
      { state: 'resolved', ticket_state_id: STATES.investigating },
      400,
      'parameter_invalid',
      'ticket_state_id',
    );
  });

  it('the type lists its unarchived states at 2.12 on; GET /ticket_states lists them all with their types', async () => {
    const res = await put({}, '2.12').expect(200);
    const listed = (res.body.ticket_type.ticket_states.data as { id: string }[]).map((state) => state.id);
    expect(listed).toEqual([
      STATES.submitted,
      STATES.inProgress,
      STATES.waiting,
      STATES.resolved,
      STATES.investigating,
    ]);

    const states = await request(ctx.t.http)
      .get('/ticket_states')
      .set('Authorization', `Bearer ${ctx.ws.token}`)
      .set('Intercom-Version', '2.12')
      .expect(200);
    expect(states.body.type).toBe('list');
    const byId = new Map(
      (states.body.data as { id: string; ticket_types: { data: unknown[] } }[]).map((state) => [
        state.id,
        state,
      ]),
    );
    expect([...byId.keys()]).toEqual(Object.values(STATES));
    expect(byId.get(STATES.archived)).toEqual({
      type: 'ticket_state',
      id: STATES.archived,
      category: 'resolved',
      internal_label: 'Old',
      external_label: 'Old',
      archived: true,
      ticket_types: {
        type: 'list',
        data: [
          {
            type: 'ticket_type',
            id: IDS.bugType,
            name: 'Bug',
            description: 'A bug that has been reported.',
            icon: '🐞',
            archived: false,
            category: 'Back-office',
          },
        ],
      },
    });
    expect(
      (byId.get(STATES.submitted) as { ticket_types: { data: unknown[] } }).ticket_types.data,
    ).toHaveLength(2);
  });

  it('GET /ticket_states before 2.12 is 400 "not available in current API version"', async () => {
    const res = await request(ctx.t.http)
      .get('/ticket_states')
      .set('Authorization', `Bearer ${ctx.ws.token}`)
      .set('Intercom-Version', '2.11')
      .expect(400);
    expect(res.body.errors).toEqual([
      {
        code: 'intercom_version_invalid',
        message: 'Requested resource is not available in current API version.',
        field: 'Intercom-Version',
      },
    ]);
  });

  it('open: false closes (a close part by the performing admin) and unsnoozes; open: true reopens', async () => {
    await put({ snoozed_until: 4_000_000_000 }).expect(200);
    expect((await row()).snoozed_until?.getTime()).toBe(4_000_000_000_000);

    const closed = await put({ open: false, admin_id: Number(IDS.admin) }).expect(200);
    expect(closed.body).toMatchObject({ open: false, snoozed_until: null });
    expect(newParts(closed.body as Body, 1)).toEqual([
      expect.objectContaining({ part_type: 'close', author: expect.objectContaining({ id: IDS.admin }) }),
    ]);
    expect(await row()).toMatchObject({ open: false, snoozed_until: null });

    const reopened = await put({ open: true }, '2.10').expect(200);
    expect(reopened.body.open).toBe(true);
    expect(newParts(reopened.body as Body, 1)).toEqual([
      expect.objectContaining({ part_type: 'open', author: expect.objectContaining({ id: IDS.bot }) }),
    ]);
    expect((await row()).open).toBe(true);
  });

  it('snoozes an open ticket (a snoozed part); the snooze shows at 2.10 on', async () => {
    const res = await put({ snoozed_until: 4_000_000_000 }, '2.10').expect(200);
    expect(res.body).toMatchObject({ open: true, snoozed_until: 4_000_000_000 });
    expect(newParts(res.body as Body, 1)).toEqual([expect.objectContaining({ part_type: 'snoozed' })]);
    // The same snooze again changes nothing.
    const before = await stored();
    await put({ snoozed_until: 4_000_000_000 }).expect(200);
    expect(await stored()).toEqual(before);
  });

  it('refuses a snooze in the past, on a closed ticket, or with open: false, writing nothing', async () => {
    await expectRefused({ snoozed_until: 1_000_000_000 }, 400, 'parameter_invalid', 'snoozed_until');
    await expectRefused(
      { snoozed_until: 4_000_000_000, open: false },
      400,
      'parameter_invalid',
      'snoozed_until',
    );
    await put({ open: false }).expect(200);
    await expectRefused({ snoozed_until: 4_000_000_000 }, 400, 'parameter_invalid', 'snoozed_until');
    // Reopening in the same request makes the snooze valid.
    const res = await put({ open: true, snoozed_until: 4_000_000_000 }).expect(200);
    expect(newParts(res.body as Body, 2).map((p) => p.part_type)).toEqual(['open', 'snoozed']);
  });

  it('sets, keeps and removes the company; an unknown one is 404 company_not_found and writes nothing', async () => {
    await put({ company_id: COMPANY }).expect(200);
    expect((await row()).company_id).toBe(COMPANY);
    const audits = await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(audits.at(-1)?.changes).toEqual({ company_id: { before: null, after: COMPANY } });

    const res = await expectRefused(
      { company_id: '6657add46abd0167d9410000' },
      404,
      'company_not_found',
      'company_id',
    );
    expect(res.body.errors[0].message).toBe('Company not found');

    await put({ company_id: null }).expect(200);
    expect((await row()).company_id).toBeNull();
  });

  it('top-level admin_id and assignee_id (2.14) assign; assignee_id alone is the bot’s assignment', async () => {
    const res = await put({ admin_id: Number(IDS.admin), assignee_id: IDS.team }).expect(200);
    expect(newParts(res.body as Body, 1)).toEqual([
      expect.objectContaining({
        part_type: 'assignment',
        assigned_to: { type: 'team', id: IDS.team },
        author: expect.objectContaining({ id: IDS.admin }),
      }),
    ]);
    const bot = await put({ assignee_id: Number(IDS.otherAdmin) }, '2.16').expect(200);
    expect(bot.body).toMatchObject({
      admin_assignee_id: Number(IDS.otherAdmin),
      team_assignee_id: Number(IDS.team),
    });
    expect(newParts(bot.body as Body, 1)).toEqual([
      expect.objectContaining({ part_type: 'assignment', author: expect.objectContaining({ id: IDS.bot }) }),
    ]);
    expect(await row()).toMatchObject({ admin_assignee_id: IDS.otherAdmin, team_assignee_id: IDS.team });
    expect((await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket))[0]).toMatchObject({
      changes: { team_assignee_id: { before: null, after: IDS.team } },
    });
  });

  it('both assignment shapes in one request is 400 and writes nothing', async () => {
    await expectRefused(
      { assignment: { admin_id: IDS.admin, assignee_id: IDS.team }, assignee_id: IDS.team },
      400,
      'parameter_invalid',
      'assignment',
    );
  });

  it('assignee_not_found names the field that was sent', async () => {
    await expectRefused({ admin_id: 123456, assignee_id: IDS.team }, 404, 'assignee_not_found', 'admin_id');
    await expectRefused(
      { admin_id: IDS.admin, assignee_id: '123456' },
      404,
      'assignee_not_found',
      'assignee_id',
    );
    await expectRefused(
      { assignment: { admin_id: '123456', assignee_id: IDS.team } },
      404,
      'assignee_not_found',
      'assignment.admin_id',
      '2.9',
    );
  });

  it('skip_notifications is recorded in the audit row', async () => {
    await put({ state: 'resolved', skip_notifications: true }).expect(200);
    const { rows } = await ctx.t.db.query<{ skip_notifications: boolean }>(
      'SELECT skip_notifications FROM audit_log WHERE workspace_id = $1 AND ticket_id = $2',
      [ctx.ws.workspaceId, IDS.ticket],
    );
    expect(rows).toEqual([{ skip_notifications: true }]);
  });

  it('a full update: parts in §6 order with the right authors, one transaction, one audit row', async () => {
    const res = await put({
      ticket_attributes: { Priority: 'Low' },
      ticket_state_id: STATES.investigating,
      admin_id: IDS.admin,
      assignee_id: IDS.otherAdmin,
      open: false,
      company_id: COMPANY,
    }).expect(200);
    const parts = newParts(res.body as Body, 4);
    expect(parts.map((p) => [p.part_type, p.author.id])).toEqual([
      ['ticket_attribute_updated_by_admin', IDS.bot],
      ['ticket_state_updated_by_admin', IDS.bot],
      ['assignment', IDS.admin],
      ['close', IDS.admin],
    ]);
    expect(parts[0]).toMatchObject({
      updated_attribute_data: {
        attribute: { type: 'attribute', id: '210', label: 'Priority' },
        value: { type: 'value', id: IDS.lowItem, label: 'Low' },
      },
    });
    const stored = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(stored.slice(-4).map((p) => p.part_type)).toEqual(parts.map((p) => p.part_type));
    expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(1);
    expect(await row()).toMatchObject({
      ticket_state_id: STATES.investigating,
      admin_assignee_id: IDS.otherAdmin,
      open: false,
      company_id: COMPANY,
    });
  });
});
