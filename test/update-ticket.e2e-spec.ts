import { IDS, partRows, seedWorkspace, ticketRow } from './support/factories';
import { putTicket, useSeededApp } from './support/app';

describe('PUT /tickets/:id — a full update', () => {
  const ctx = useSeededApp(seedWorkspace);

  it('changes attributes, state and assignee, with parts in order, and stores it', async () => {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      ticket_attributes: { _default_title_: 'New title', Priority: 'Low' },
      state: 'in_progress',
      assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
    }).expect(200);

    expect(res.headers['intercom-version']).toBe('2.9');
    expect(res.body).toMatchObject({
      type: 'ticket',
      id: IDS.ticket,
      ticket_id: '1390',
      ticket_state: 'in_progress',
      ticket_state_internal_label: 'In progress',
      ticket_state_external_label: 'In progress',
      admin_assignee_id: IDS.otherAdmin,
      team_assignee_id: '0',
      ticket_attributes: { _default_title_: 'New title', Priority: 'Low', 'Legacy code': 'L1' },
    });
    const parts = res.body.ticket_parts.ticket_parts as {
      part_type: string;
      author: { type: string; id: string };
    }[];
    expect(parts.map((p) => p.part_type)).toEqual([
      'comment',
      'ticket_attribute_updated_by_admin',
      'ticket_attribute_updated_by_admin',
      'ticket_state_updated_by_admin',
      'assignment',
    ]);
    expect(res.body.ticket_parts.total_count).toBe(5);

    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(row).toMatchObject({
      state: 'in_progress',
      admin_assignee_id: IDS.otherAdmin,
      team_assignee_id: null,
    });
    expect(row.attributes).toEqual({ _default_title_: 'New title', Priority: 'Low', 'Legacy code': 'L1' });
    const stored = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(stored.map((p) => p.part_type)).toEqual(parts.map((p) => p.part_type));
    expect(stored.map((p) => p.author_id)).toEqual([IDS.admin, IDS.bot, IDS.bot, IDS.bot, IDS.admin]);
  });
});
