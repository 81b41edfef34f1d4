import type { Response } from 'supertest';
import type { Snapshot } from '../src/import/snapshot.types';
import { putTicket, useApp, useSeededApp } from './support/app';
import {
  IDS,
  partRows,
  seedWorkspace,
  standardSnapshot,
  ticketRow,
  ticketState,
  type SeededWorkspace,
} from './support/factories';

/**
 * BEHAVIOUR.md §5: a workspace sees only its own tickets, admins, teams and types; anything else is
 * indistinguishable from absent. A and B share every id of the standard snapshot; A has a few extras.
 */
const ONLY_IN_A = { admin: '555000', team: '9900', ticket: '9001', attribute: 'Region' } as const;

function snapshotWithExtras(workspaceId: string): Snapshot {
  const base = standardSnapshot(workspaceId);
  const [bug, ...otherTypes] = base.ticket_types!;
  return {
    ...base,
    admins: [...base.admins!, { id: ONLY_IN_A.admin, name: 'Zed', email: 'zed@test.example' }],
    teams: [...base.teams!, { id: ONLY_IN_A.team, name: 'Only A', admin_ids: [IDS.admin] }],
    ticket_types: [
      {
        ...bug,
        ticket_type_attributes: [
          ...bug.ticket_type_attributes!,
          { id: '290', name: ONLY_IN_A.attribute, data_type: 'string', order: 9 },
        ],
      },
      ...otherTypes,
    ],
    tickets: [
      ...base.tickets!,
      {
        id: ONLY_IN_A.ticket,
        ticket_type_id: IDS.bugType,
        ticket_attributes: { _default_title_: 'Only in A' },
      },
    ],
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ctx = useApp();
let a: SeededWorkspace;
let b: SeededWorkspace;

/** Every ticket both workspaces share, as stored in each. */
function bothWorkspaces() {
  return Promise.all(
    [a, b].flatMap((ws) =>
      [IDS.ticket, IDS.ticketB, IDS.wideTicket].map((id) => ticketState(ctx.t.db, ws.workspaceId, id)),
    ),
  );
}

/** An error.list with one error, its request_id in X-Request-Id, and nothing stored differently in A or B. */
async function expectRejected(
  send: () => PromiseLike<Response>,
  status: number,
  error: { code: string; message: string; field: string },
): Promise<void> {
  const before = {
    shared: await bothWorkspaces(),
    onlyA: await ticketState(ctx.t.db, a.workspaceId, ONLY_IN_A.ticket),
  };
  const res = await send();
  expect({ status: res.status, body: res.body as unknown }).toEqual({
    status,
    body: { type: 'error.list', request_id: expect.stringMatching(UUID), errors: [error] },
  });
  expect(res.headers['x-request-id']).toBe((res.body as { request_id: string }).request_id);
  expect({
    shared: await bothWorkspaces(),
    onlyA: await ticketState(ctx.t.db, a.workspaceId, ONLY_IN_A.ticket),
  }).toEqual(before);
}

/**
 * Intercom's message first, then the id this workspace does not have (README "Decided behaviours"); `field` names
 * the field sent (BEHAVIOUR.md §6).
 */
const assigneeNotFound = (detail: string, field: string) => ({
  code: 'assignee_not_found',
  message: `Assignee not found: ${detail} in this workspace`,
  field,
});

beforeEach(async () => {
  [a, b] = await Promise.all([seedWorkspace(snapshotWithExtras), seedWorkspace()]);
});

describe('tickets', () => {
  it("A's token updates A's ticket and leaves B's identical ticket unchanged", async () => {
    const bBefore = await ticketState(ctx.t.db, b.workspaceId, IDS.ticket);
    const res = await putTicket(ctx.t.http, a.token, IDS.ticket, {
      ticket_attributes: { _default_title_: 'Changed in A' },
      state: 'in_progress',
      is_shared: false,
      assignment: { admin_id: IDS.admin, assignee_id: IDS.otherAdmin },
    });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: IDS.ticket,
      ticket_state: 'in_progress',
      admin_assignee_id: IDS.otherAdmin,
    });
    expect(await ticketRow(ctx.t.db, a.workspaceId, IDS.ticket)).toMatchObject({
      state: 'in_progress',
      attributes: { _default_title_: 'Changed in A', Priority: 'High', 'Legacy code': 'L1' },
      admin_assignee_id: IDS.otherAdmin,
      is_shared: false,
    });
    expect((await partRows(ctx.t.db, a.workspaceId, IDS.ticket)).map((p) => p.part_type)).toEqual([
      'comment',
      'ticket_attribute_updated_by_admin',
      'ticket_state_updated_by_admin',
      'assignment',
    ]);
    expect(await ticketState(ctx.t.db, b.workspaceId, IDS.ticket)).toEqual(bBefore);
  });

  it("B's token gets 404 for a ticket that exists only in A", async () => {
    await expectRejected(() => putTicket(ctx.t.http, b.token, ONLY_IN_A.ticket, { state: 'resolved' }), 404, {
      code: 'ticket_not_found',
      message: 'Ticket not found',
      field: 'id',
    });
  });
});

describe('admins and teams', () => {
  it.each<[string, { admin_id: string; assignee_id: string }, string, string]>([
    [
      "A's admin performing the assignment",
      { admin_id: ONLY_IN_A.admin, assignee_id: IDS.otherAdmin },
      `no admin "${ONLY_IN_A.admin}"`,
      'assignment.admin_id',
    ],
    [
      "A's admin as the assignee",
      { admin_id: IDS.admin, assignee_id: ONLY_IN_A.admin },
      `no admin or team "${ONLY_IN_A.admin}"`,
      'assignment.assignee_id',
    ],
    [
      "A's team as the assignee",
      { admin_id: IDS.admin, assignee_id: ONLY_IN_A.team },
      `no admin or team "${ONLY_IN_A.team}"`,
      'assignment.assignee_id',
    ],
  ])(
    "%s, from B's token → 404 assignee_not_found; the same from A's token → 200",
    async (_, assignment, detail, field) => {
      await expectRejected(
        () => putTicket(ctx.t.http, b.token, IDS.ticket, { assignment }),
        404,
        assigneeNotFound(detail, field),
      );

      const bBefore = await ticketState(ctx.t.db, b.workspaceId, IDS.ticket);
      const res = await putTicket(ctx.t.http, a.token, IDS.ticket, { assignment });
      expect(res.status).toBe(200);
      const parts = await partRows(ctx.t.db, a.workspaceId, IDS.ticket);
      expect(parts.at(-1)).toMatchObject({ part_type: 'assignment', author_id: assignment.admin_id });
      expect(await ticketState(ctx.t.db, b.workspaceId, IDS.ticket)).toEqual(bBefore);
    },
  );
});

describe('ticket types', () => {
  it("an attribute only on A's type: 400 from B's token, stored from A's", async () => {
    const body = { ticket_attributes: { [ONLY_IN_A.attribute]: 'EMEA' } };
    await expectRejected(() => putTicket(ctx.t.http, b.token, IDS.ticket, body), 400, {
      code: 'parameter_invalid',
      message: `Extra attributes provided that are not found on ticket type: ${ONLY_IN_A.attribute}`,
      field: 'ticket_attributes',
    });

    const bBefore = await ticketState(ctx.t.db, b.workspaceId, IDS.ticket);
    const res = await putTicket(ctx.t.http, a.token, IDS.ticket, body);
    expect(res.status).toBe(200);
    expect((await ticketRow(ctx.t.db, a.workspaceId, IDS.ticket)).attributes).toMatchObject({
      Region: 'EMEA',
    });
    expect(await ticketState(ctx.t.db, b.workspaceId, IDS.ticket)).toEqual(bBefore);
  });
});

describe('list items are per workspace', () => {
  const ITEM_ONLY_IN_A = 'f5d4a1c6-6a7e-4b02-9f5e-4d0a6b1c2e35';

  /** A's Priority list has one more item, with its own id and label. */
  function withExtraItem(workspaceId: string): Snapshot {
    const base = standardSnapshot(workspaceId);
    const [bug, ...otherTypes] = base.ticket_types!;
    return {
      ...base,
      ticket_types: [
        {
          ...bug,
          ticket_type_attributes: bug.ticket_type_attributes!.map((attribute) =>
            attribute.name === 'Priority'
              ? {
                  ...attribute,
                  input_options: {
                    list_items: [
                      ...attribute.input_options!.list_items!,
                      { id: ITEM_ONLY_IN_A, label: 'Urgent', archived: false },
                    ],
                  },
                }
              : attribute,
          ),
        },
        ...otherTypes,
      ],
    };
  }

  // An app of its own, with the two workspaces seeded once before it serves anything.
  const list = useSeededApp(
    async () => ({ onlyA: await seedWorkspace(withExtraItem), other: await seedWorkspace() }),
    { seed: 'once' },
  );

  it.each([
    ['id', ITEM_ONLY_IN_A],
    ['label', 'Urgent'],
  ])("another workspace's list item (by %s) is 400 and writes nothing", async (_by, value) => {
    const before = await ticketState(list.t.db, list.ws.other.workspaceId, IDS.ticket);
    const res = await putTicket(list.t.http, list.ws.other.token, IDS.ticket, {
      ticket_attributes: { Priority: value },
    }).expect(400);
    expect(res.body.errors[0]).toMatchObject({
      code: 'parameter_invalid',
      field: 'ticket_attributes.Priority',
    });
    expect(await ticketState(list.t.db, list.ws.other.workspaceId, IDS.ticket)).toEqual(before);

    await putTicket(list.t.http, list.ws.onlyA.token, IDS.ticket, {
      ticket_attributes: { Priority: value },
    }).expect(200);
    expect((await ticketRow(list.t.db, list.ws.onlyA.workspaceId, IDS.ticket)).attributes.Priority).toBe(
      'Urgent',
    );
    await putTicket(list.t.http, list.ws.onlyA.token, IDS.ticket, {
      ticket_attributes: { Priority: 'High' },
    }).expect(200);
  });
});
