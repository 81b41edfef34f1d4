import { putTicket, useSeededApp } from './support/app';
import { IDS, seedWorkspace, ticketRow } from './support/factories';

/**
 * BEHAVIOUR.md §1: `ticket_parts` holds the 500 most recent parts, oldest first; `total_count` counts them
 * all, so an update's own parts are always in its response.
 */
const WINDOW = 500;
const SEEDED = 600;

type Part = {
  id: string;
  part_type: string;
  body: string | null;
  ticket_state?: string;
  previous_ticket_state?: string;
  author: { type: string; id: string };
};
type PartList = { type: string; ticket_parts: Part[]; total_count: number };

describe('PUT /tickets/:id — the 500-part window', () => {
  const ctx = useSeededApp(seedWorkspace);
  beforeEach(async () => {
    // Ids come from the sequence, as the service's own parts do.
    await ctx.t.db.query(
      `INSERT INTO ticket_parts (workspace_id, ticket_id, part_type, body, author_id, created_at, updated_at)
       SELECT $1, $2, 'comment', 'n' || g, $3, now(), now() FROM generate_series(1, ${SEEDED}) g ORDER BY g`,
      [ctx.ws.workspaceId, IDS.ticketB, IDS.admin],
    );
  });

  /** Stored part ids, oldest first (numeric order: support's partRows sorts its text ids as text). */
  async function storedIds(): Promise<string[]> {
    const { rows } = await ctx.t.db.query<{ id: string }>(
      'SELECT p.id::text AS id FROM ticket_parts p WHERE p.workspace_id = $1 AND p.ticket_id = $2 ORDER BY p.id',
      [ctx.ws.workspaceId, IDS.ticketB],
    );
    return rows.map((r) => r.id);
  }

  async function update(body: unknown): Promise<PartList> {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticketB, body).expect(200);
    return res.body.ticket_parts as PartList;
  }

  it('a no-op update shows the newest 500 of 600 parts, oldest first, and writes nothing', async () => {
    const before = await storedIds();
    expect(before).toHaveLength(SEEDED);

    const parts = await update({});

    expect(parts.type).toBe('ticket_part.list');
    expect(parts.total_count).toBe(SEEDED);
    expect(parts.ticket_parts).toHaveLength(WINDOW);
    expect(parts.ticket_parts.map((p) => p.id)).toEqual(before.slice(SEEDED - WINDOW));
    expect(parts.ticket_parts[0].body).toBe(`n${SEEDED - WINDOW + 1}`);
    expect(parts.ticket_parts.at(-1)!.body).toBe(`n${SEEDED}`);
    expect(await storedIds()).toEqual(before);
  });

  it('a state update returns the newest 500 of 601 parts, its own state part last', async () => {
    const before = await storedIds();

    const parts = await update({ state: 'resolved' });

    const after = await storedIds();
    expect(after).toHaveLength(SEEDED + 1);
    expect(after.slice(0, SEEDED)).toEqual(before);
    expect(parts.total_count).toBe(SEEDED + 1);
    expect(parts.ticket_parts).toHaveLength(WINDOW);
    const ids = parts.ticket_parts.map((p) => p.id);
    expect(ids).toEqual(after.slice(SEEDED + 1 - WINDOW));
    // Ascending ids: oldest first. The first shown is the 102nd oldest part.
    expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(ids[0]).toBe(after[101]);
    expect(parts.ticket_parts[0].body).toBe('n102');
    expect(parts.ticket_parts.at(-1)).toMatchObject({
      id: after[SEEDED],
      part_type: 'ticket_state_updated_by_admin',
      previous_ticket_state: 'submitted',
      ticket_state: 'resolved',
      body: null,
      author: { type: 'bot', id: IDS.bot },
    });
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticketB)).state).toBe('resolved');
  });

  it('a no-op update after the state update shows the same window of 601', async () => {
    const changed = await update({ state: 'in_progress' });

    const unchanged = await update({});

    expect(unchanged.total_count).toBe(SEEDED + 1);
    expect(unchanged.ticket_parts).toHaveLength(WINDOW);
    expect(unchanged.ticket_parts.map((p) => p.id)).toEqual(changed.ticket_parts.map((p) => p.id));
    expect(unchanged.ticket_parts.at(-1)!.part_type).toBe('ticket_state_updated_by_admin');
    expect(await storedIds()).toHaveLength(SEEDED + 1);
  });
});
