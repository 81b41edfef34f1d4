import request from 'supertest';
import { putTicket, useApp } from './support/app';
import {
  IDS,
  T0,
  partRows,
  seedWorkspace,
  standardSnapshot,
  ticketRow,
  ticketState,
  type SeededWorkspace,
} from './support/factories';

/** BEHAVIOUR.md §3 (the parts an update creates, their order, authors and times) and §2's assignment rules. */

const INITIAL_UPDATED_AT = T0 + 60;
const SECOND_TEAM = '815';

const COMMON_PART_KEYS = [
  'type',
  'id',
  'part_type',
  'body',
  'created_at',
  'updated_at',
  'author',
  'attachments',
  'external_id',
  'redacted',
];
const STATE_KEYS = ['ticket_state', 'previous_ticket_state'];

type WirePart = {
  id: string;
  part_type: string;
  created_at: number;
  updated_at: number;
  author: { type: string; id: string; name: string; email: string };
  [key: string]: unknown;
};

const unix = (date: Date) => Math.floor(date.getTime() / 1000);

/** The standard snapshot, with IDS.ticket in progress, assigned to IDS.admin and team IDS.team. */
function assignedSnapshot(workspaceId: string) {
  const snapshot = standardSnapshot(workspaceId);
  snapshot.teams!.push({ id: SECOND_TEAM, name: 'Support', admin_ids: [IDS.otherAdmin] });
  const ticket = snapshot.tickets!.find((candidate) => candidate.id === IDS.ticket)!;
  Object.assign(ticket, {
    ticket_state: 'in_progress',
    admin_assignee_id: IDS.admin,
    team_assignee_id: IDS.team,
  });
  return snapshot;
}

describe('PUT /tickets/:id — ticket parts', () => {
  const ctx = useApp();
  let ws: SeededWorkspace;

  const put = (body: unknown) => putTicket(ctx.t.http, ws.token, IDS.ticket, body);
  const stored = () => ticketState(ctx.t.db, ws.workspaceId, IDS.ticket);
  const wireParts = (body: { ticket_parts: { ticket_parts: WirePart[] } }) => body.ticket_parts.ticket_parts;
  const bot = () => ({
    type: 'bot',
    id: IDS.bot,
    name: 'Operator',
    email: `operator+${ws.workspaceId}@intercom.io`,
  });
  const ann = { type: 'admin', id: IDS.admin, name: 'Ann Admin', email: 'ann@test.example' };
  const bob = { type: 'admin', id: IDS.otherAdmin, name: 'Bob Builder', email: 'bob@test.example' };

  /** 200 and nothing stored changed: no part, `updated_at` kept in the database and the response. */
  async function expectNoChange(send: () => request.Test) {
    const before = await stored();
    const res = await send().expect(200);
    expect(await stored()).toEqual(before);
    expect(res.body.updated_at).toBe(unix(before.ticket.updated_at));
    expect(res.body.ticket_parts.total_count).toBe(before.parts.length);
    expect(wireParts(res.body).map((p) => p.id)).toEqual(before.parts.map((p) => p.id));
    return res;
  }

  /** Sends `body` and returns the response and the parts it added (wire and stored). */
  async function update(body: unknown) {
    const before = await stored();
    const res = await put(body).expect(200);
    const after = await stored();
    const added = wireParts(res.body).slice(before.parts.length);
    expect(added.map((p) => p.id)).toEqual(after.parts.slice(before.parts.length).map((p) => p.id));
    return { res, before, after, added, addedRows: after.parts.slice(before.parts.length) };
  }

  describe('a full update', () => {
    beforeEach(async () => {
      ws = await seedWorkspace();
    });

    const fullUpdate = {
      ticket_attributes: { Amount: 2, Reproducible: true },
      state: 'resolved',
      assignment: { admin_id: IDS.otherAdmin, assignee_id: IDS.team },
    };

    it('creates attribute parts, then the state part, then the assignment part, with increasing ids', async () => {
      const { res, after, added } = await update(fullUpdate);
      expect(wireParts(res.body).map((p) => p.part_type)).toEqual([
        'comment',
        'ticket_attribute_updated_by_admin',
        'ticket_attribute_updated_by_admin',
        'ticket_state_updated_by_admin',
        'assignment',
      ]);
      const ids = wireParts(res.body).map((p) => BigInt(p.id));
      for (let i = 1; i < ids.length; i += 1) expect(ids[i] > ids[i - 1]).toBe(true);
      expect(after.parts.map((p) => p.part_type)).toEqual(wireParts(res.body).map((p) => p.part_type));
      expect(res.body.ticket_parts.total_count).toBe(5);
      expect(after.parts).toHaveLength(5);
      expect(added).toHaveLength(4);
    });

    it('stamps every new part and the ticket with one time, the same in the response and the database', async () => {
      const { res, after, added, addedRows } = await update(fullUpdate);
      const stamp = after.ticket.updated_at.getTime();
      expect(addedRows.map((p) => p.created_at.getTime())).toEqual([stamp, stamp, stamp, stamp]);
      expect(stamp).toBeGreaterThan(INITIAL_UPDATED_AT * 1000);

      const seconds = unix(after.ticket.updated_at);
      expect(res.body.updated_at).toBe(seconds);
      expect(added.map((p) => [p.created_at, p.updated_at])).toEqual(
        Array.from({ length: 4 }, () => [seconds, seconds]),
      );
      expect(res.body.created_at).toBe(T0 + 1);
      // The imported comment keeps its own times.
      expect(wireParts(res.body)[0]).toMatchObject({ id: '100', created_at: T0 + 60, updated_at: T0 + 60 });
    });

    it('authors attribute and state parts by the bot, the assignment by assignment.admin_id', async () => {
      const { added, addedRows } = await update(fullUpdate);
      expect(added.map((p) => p.author)).toEqual([bot(), bot(), bot(), bob]);
      expect(addedRows.map((p) => p.author_id)).toEqual([IDS.bot, IDS.bot, IDS.bot, IDS.otherAdmin]);
    });

    it('authors the assignment by the bot when the bot performs it', async () => {
      const { added, addedRows } = await update({
        assignment: { admin_id: IDS.bot, assignee_id: IDS.admin },
      });
      expect(added).toHaveLength(1);
      expect(added[0].author).toEqual(bot());
      expect(addedRows[0].author_id).toBe(IDS.bot);
    });

    it('puts the common keys on every part, state keys on state parts, assigned_to on assignments', async () => {
      const { res } = await update(fullUpdate);
      const [comment, attribute, , state, assignment] = wireParts(res.body);
      for (const part of [comment, attribute]) {
        expect(Object.keys(part).sort()).toEqual([...COMMON_PART_KEYS].sort());
        for (const key of [...STATE_KEYS, 'assigned_to']) expect(part).not.toHaveProperty(key);
      }
      expect(Object.keys(state).sort()).toEqual([...COMMON_PART_KEYS, ...STATE_KEYS].sort());
      expect(state).not.toHaveProperty('assigned_to');
      expect(state).toMatchObject({ ticket_state: 'resolved', previous_ticket_state: 'submitted' });
      expect(Object.keys(assignment).sort()).toEqual([...COMMON_PART_KEYS, 'assigned_to'].sort());
      for (const key of STATE_KEYS) expect(assignment).not.toHaveProperty(key);
      expect(assignment.assigned_to).toEqual({ type: 'team', id: IDS.team });
    });

    it('gives generated parts a null body, no attachments, no external_id, not redacted', async () => {
      const { added } = await update(fullUpdate);
      for (const part of added) {
        expect(part).toMatchObject({
          type: 'ticket_part',
          body: null,
          attachments: [],
          external_id: null,
          redacted: false,
        });
      }
      const { rows } = await ctx.t.db.query<{
        body: string | null;
        attachments: unknown;
        external_id: string | null;
        redacted: boolean;
      }>(
        `SELECT body, attachments, external_id, redacted FROM ticket_parts
          WHERE workspace_id = $1 AND ticket_id = $2 AND id > 100 ORDER BY id`,
        [ws.workspaceId, IDS.ticket],
      );
      expect(rows).toEqual(
        Array.from({ length: 4 }, () => ({
          body: null,
          attachments: [],
          external_id: null,
          redacted: false,
        })),
      );
    });

    it('stores state and assignment details on the parts rows', async () => {
      const { addedRows } = await update(fullUpdate);
      expect(
        addedRows.map((p) => [p.ticket_state, p.previous_ticket_state, p.assigned_to_type, p.assigned_to_id]),
      ).toEqual([
        [null, null, null, null],
        [null, null, null, null],
        ['resolved', 'submitted', null, null],
        [null, null, 'team', IDS.team],
      ]);
    });

    it('a later update adds parts after these, at a later time, and the total counts all', async () => {
      const first = await update(fullUpdate);
      const second = await update({ state: 'in_progress' });
      expect(second.added).toHaveLength(1);
      expect(BigInt(second.added[0].id) > BigInt(first.added[3].id)).toBe(true);
      expect(second.added[0]).toMatchObject({
        ticket_state: 'in_progress',
        previous_ticket_state: 'resolved',
      });
      expect(second.res.body.ticket_parts.total_count).toBe(6);
      expect(second.after.ticket.updated_at.getTime()).toBeGreaterThan(
        first.after.ticket.updated_at.getTime(),
      );
    });
  });

  describe('no-ops: 200, no part, updated_at kept', () => {
    beforeEach(async () => {
      ws = await seedWorkspace(assignedSnapshot);
    });

    it('{}', async () => {
      await expectNoChange(() => put({}));
    });

    it('an empty body without a Content-Type', async () => {
      const res = await expectNoChange(() =>
        request(ctx.t.http)
          .put(`/tickets/${IDS.ticket}`)
          .set('Authorization', `Bearer ${ws.token}`)
          .set('Intercom-Version', '2.9')
          .set('Accept', '*/*'),
      );
      expect(res.body).toMatchObject({ type: 'ticket', id: IDS.ticket, ticket_state: 'in_progress' });
    });

    it("top-level nulls, and later versions' fields that change nothing", async () => {
      await expectNoChange(() =>
        put({
          state: null,
          assignment: null,
          ticket_attributes: null,
          is_shared: null,
          open: true,
          snoozed_until: null,
          ticket_state_id: null,
          company_id: null,
          admin_id: IDS.admin,
          skip_notifications: true,
        }),
      );
    });

    it('the same state', async () => {
      const res = await expectNoChange(() => put({ state: 'in_progress' }));
      expect(res.body.ticket_state).toBe('in_progress');
    });

    it.each([
      ['the assigned admin', IDS.admin],
      ['the assigned team', IDS.team],
    ])('the same assignee (%s)', async (_label, assigneeId) => {
      const res = await expectNoChange(() =>
        put({ assignment: { admin_id: IDS.otherAdmin, assignee_id: assigneeId } }),
      );
      expect(res.body).toMatchObject({ admin_assignee_id: IDS.admin, team_assignee_id: IDS.team });
    });

    it('the same attribute value', async () => {
      await expectNoChange(() =>
        put({ ticket_attributes: { _default_title_: 'Login fails', Priority: 'High' } }),
      );
    });

    it('the same is_shared value', async () => {
      const res = await expectNoChange(() => put({ is_shared: true }));
      expect(res.body.is_shared).toBe(true);
    });

    it('all of them at once', async () => {
      await expectNoChange(() =>
        put({
          ticket_attributes: { Priority: IDS.highItem },
          state: 'in_progress',
          is_shared: true,
          assignment: { admin_id: IDS.admin, assignee_id: IDS.admin },
        }),
      );
    });
  });

  describe('is_shared', () => {
    beforeEach(async () => {
      ws = await seedWorkspace();
    });

    it('a change flips the flag and updated_at, and creates no part', async () => {
      const { res, before, after } = await update({ is_shared: false });
      expect(res.body.is_shared).toBe(false);
      expect(after.ticket.is_shared).toBe(false);
      expect(after.parts).toEqual(before.parts);
      expect(res.body.ticket_parts.total_count).toBe(1);
      expect(after.ticket.updated_at.getTime()).toBeGreaterThan(before.ticket.updated_at.getTime());
      expect(res.body.updated_at).toBe(unix(after.ticket.updated_at));

      const back = await update({ is_shared: true });
      expect(back.res.body.is_shared).toBe(true);
      expect(back.after.ticket.is_shared).toBe(true);
      expect(back.after.parts).toEqual(before.parts);
    });

    it('on a ticket without parts: an empty part list, then its first part (write and read are one statement)', async () => {
      const shared = await putTicket(ctx.t.http, ws.token, IDS.ticketB, { is_shared: true }).expect(200);
      expect(shared.body.ticket_parts).toEqual({
        type: 'ticket_part.list',
        ticket_parts: [],
        total_count: 0,
      });
      expect(shared.headers.etag).toBe(`"${IDS.ticketB}.2"`);
      expect(await partRows(ctx.t.db, ws.workspaceId, IDS.ticketB)).toEqual([]);

      const state = await putTicket(ctx.t.http, ws.token, IDS.ticketB, { state: 'resolved' }).expect(200);
      const [part] = await partRows(ctx.t.db, ws.workspaceId, IDS.ticketB);
      expect(state.body.ticket_parts.total_count).toBe(1);
      expect(wireParts(state.body)).toEqual([
        expect.objectContaining({
          id: part.id,
          part_type: 'ticket_state_updated_by_admin',
          ticket_state: 'resolved',
        }),
      ]);
      expect((await ticketRow(ctx.t.db, ws.workspaceId, IDS.ticketB)).state).toBe('resolved');
    });

    it('unassigning an unassigned ticket creates no part and keeps updated_at', async () => {
      for (const assigneeId of ['0', 0]) {
        const res = await expectNoChange(() =>
          put({ assignment: { admin_id: IDS.admin, assignee_id: assigneeId } }),
        );
        expect(res.body).toMatchObject({ admin_assignee_id: '0', team_assignee_id: '0' });
      }
    });
  });

  describe('assignment', () => {
    /** Assigns, then checks the response, the stored assignees and the one assignment part. */
    async function expectAssigned(
      assignment: Record<string, unknown>,
      expected: {
        admin: string | null;
        team: string | null;
        to: { type: string; id: string | null };
        author: object;
      },
    ) {
      const { res, after, added, addedRows } = await update({ assignment });
      expect(res.body).toMatchObject({
        admin_assignee_id: expected.admin ?? '0',
        team_assignee_id: expected.team ?? '0',
      });
      expect(after.ticket).toMatchObject({
        admin_assignee_id: expected.admin,
        team_assignee_id: expected.team,
      });
      expect(added).toHaveLength(1);
      expect(added[0]).toMatchObject({
        part_type: 'assignment',
        assigned_to: expected.to,
        author: expected.author,
      });
      expect(addedRows[0]).toMatchObject({
        assigned_to_type: expected.to.type,
        assigned_to_id: expected.to.id,
      });
      expect(res.body.updated_at).toBe(unix(after.ticket.updated_at));
      expect(added[0].created_at).toBe(res.body.updated_at);
    }

    describe('on an unassigned ticket', () => {
      beforeEach(async () => {
        ws = await seedWorkspace();
      });

      it('to an admin', async () => {
        await expectAssigned(
          { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
          { admin: IDS.otherAdmin, team: null, to: { type: 'admin', id: IDS.otherAdmin }, author: ann },
        );
      });

      it('to a team', async () => {
        await expectAssigned(
          { admin_id: IDS.otherAdmin, assignee_id: IDS.team },
          { admin: null, team: IDS.team, to: { type: 'team', id: IDS.team }, author: bob },
        );
      });

      it('with integer ids', async () => {
        await expectAssigned(
          { admin_id: Number(IDS.admin), assignee_id: Number(IDS.otherAdmin) },
          { admin: IDS.otherAdmin, team: null, to: { type: 'admin', id: IDS.otherAdmin }, author: ann },
        );
        await expectAssigned(
          { admin_id: Number(IDS.admin), assignee_id: Number(IDS.team) },
          { admin: IDS.otherAdmin, team: IDS.team, to: { type: 'team', id: IDS.team }, author: ann },
        );
      });

      it('sends integer ids as JSON numbers on the wire', async () => {
        const body = `{"assignment":{"admin_id":991267719,"assignee_id":991267721}}`;
        const { res, added } = await update(body);
        expect(res.body.admin_assignee_id).toBe(IDS.otherAdmin);
        expect(added[0]).toMatchObject({ assigned_to: { type: 'admin', id: IDS.otherAdmin }, author: ann });
      });
    });

    describe('on a ticket assigned to an admin and a team', () => {
      beforeEach(async () => {
        ws = await seedWorkspace(assignedSnapshot);
      });

      it('to another admin: sets the admin, keeps the team', async () => {
        await expectAssigned(
          { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
          { admin: IDS.otherAdmin, team: IDS.team, to: { type: 'admin', id: IDS.otherAdmin }, author: ann },
        );
      });

      it('to another team: sets the team, keeps the admin', async () => {
        await expectAssigned(
          { admin_id: IDS.otherAdmin, assignee_id: SECOND_TEAM },
          { admin: IDS.admin, team: SECOND_TEAM, to: { type: 'team', id: SECOND_TEAM }, author: bob },
        );
      });

      it.each([
        ['"0"', '0'],
        ['integer 0', 0],
      ])('to %s: clears both, assigned_to nobody_admin', async (_label, assigneeId) => {
        await expectAssigned(
          { admin_id: IDS.admin, assignee_id: assigneeId },
          { admin: null, team: null, to: { type: 'nobody_admin', id: null }, author: ann },
        );
      });
    });
  });

  describe('state', () => {
    beforeEach(async () => {
      ws = await seedWorkspace();
    });

    const labels: [string, string, string][] = [
      ['in_progress', 'In progress', 'In progress'],
      ['waiting_on_customer', 'Waiting on customer', 'Waiting on you'],
      ['resolved', 'Resolved', 'Resolved'],
    ];

    it.each(labels)('to %s: labels %s / %s, one state part by the bot', async (state, internal, external) => {
      const { res, after, added, addedRows } = await update({ state });
      expect(res.body).toMatchObject({
        ticket_state: state,
        ticket_state_internal_label: internal,
        ticket_state_external_label: external,
      });
      expect(after.ticket.state).toBe(state);
      expect(added).toEqual([
        expect.objectContaining({
          part_type: 'ticket_state_updated_by_admin',
          ticket_state: state,
          previous_ticket_state: 'submitted',
          author: bot(),
        }),
      ]);
      expect(addedRows[0]).toMatchObject({
        ticket_state: state,
        previous_ticket_state: 'submitted',
        author_id: IDS.bot,
      });
    });

    it('records each transition with the state it left', async () => {
      const path = ['in_progress', 'waiting_on_customer', 'resolved', 'in_progress'];
      let previous = 'submitted';
      for (const state of path) {
        const { added } = await update({ state });
        expect(added).toEqual([
          expect.objectContaining({ ticket_state: state, previous_ticket_state: previous }),
        ]);
        previous = state;
      }
      const rows = await partRows(ctx.t.db, ws.workspaceId, IDS.ticket);
      expect(rows.slice(1).map((p) => [p.previous_ticket_state, p.ticket_state])).toEqual([
        ['submitted', 'in_progress'],
        ['in_progress', 'waiting_on_customer'],
        ['waiting_on_customer', 'resolved'],
        ['resolved', 'in_progress'],
      ]);
      expect((await ticketRow(ctx.t.db, ws.workspaceId, IDS.ticket)).state).toBe('in_progress');
    });
  });
});
