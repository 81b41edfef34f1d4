import request from 'supertest';
import { IDS, partRows, seedWorkspace, ticketRow, WIDE_ATTRIBUTES } from './support/factories';
import { useSeededApp } from './support/app';

describe('concurrent updates of one ticket', () => {
  // A real listening socket, so the 20 requests really are in flight together.
  const ctx = useSeededApp(seedWorkspace, { listen: true });

  const put = (body: object) =>
    request(ctx.baseUrl)
      .put(`/tickets/${IDS.wideTicket}`)
      .set('Authorization', `Bearer ${ctx.ws.token}`)
      .set('Intercom-Version', '2.9')
      .send(body);

  it('20 concurrent updates of different attributes lose nothing', async () => {
    const before = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket);
    const responses = await Promise.all(
      WIDE_ATTRIBUTES.map((name, i) => put({ ticket_attributes: { [name]: `value ${i + 1}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(WIDE_ATTRIBUTES.map(() => 200));

    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket);
    const expected = Object.fromEntries(WIDE_ATTRIBUTES.map((name, i) => [name, `value ${i + 1}`]));
    expect(row.attributes).toEqual({ _default_title_: 'Wide one', ...expected });

    const parts = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket);
    expect(parts).toHaveLength(before.length + 20);
    // Each response saw every update committed before it: the part counts are exactly 1..20.
    const counts = responses.map(
      (r) => (r.body as { ticket_parts: { total_count: number } }).ticket_parts.total_count,
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(WIDE_ATTRIBUTES.map((_, i) => before.length + i + 1));
  });

  it('concurrent state changes serialize: each part records the state the previous one left', async () => {
    const states = ['in_progress', 'waiting_on_customer', 'resolved'];
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => put({ state: states[i % 3] })));
    expect(responses.every((r) => r.status === 200)).toBe(true);

    const parts = (await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket)).filter(
      (p) => p.part_type === 'ticket_state_updated_by_admin',
    );
    let previous = 'submitted';
    for (const part of parts) {
      expect(part.previous_ticket_state).toBe(previous);
      expect(part.ticket_state).not.toBe(previous);
      previous = part.ticket_state!;
    }
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket)).state).toBe(previous);
  });

  it("50 concurrent writes: updated_at and the parts' created_at never go back in version order", async () => {
    const WRITES = 50;
    const responses = await Promise.all(
      Array.from({ length: WRITES }, (_, i) => put({ ticket_attributes: { field_1: `time ${i}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 200));

    // The responses, in the order of the versions their ETags name: unix seconds, never decreasing.
    type Body = { updated_at: number; ticket_parts: { ticket_parts: { created_at: number }[] } };
    const answered = responses
      .map((r) => ({
        version: Number(/\.(\d+)"$/.exec(r.headers.etag)![1]),
        updatedAt: (r.body as Body).updated_at,
        lastPart: (r.body as Body).ticket_parts.ticket_parts.at(-1)!.created_at,
      }))
      .sort((a, b) => a.version - b.version);
    expect(answered.map((a) => a.version)).toEqual(answered.map((_, i) => i + 2));
    for (const [i, a] of answered.entries()) {
      expect(a.lastPart).toBe(a.updatedAt);
      if (i > 0) expect(a.updatedAt).toBeGreaterThanOrEqual(answered[i - 1].updatedAt);
    }

    // The database, at full precision: audit rows by version, parts by id (= commit order, one per write).
    const { rows: audit } = await ctx.t.db.query<{ version_after: string; created_at: Date; micros: string }>(
      `SELECT version_after::text, created_at, extract(epoch FROM created_at)::numeric * 1000000 AS micros
         FROM audit_log WHERE workspace_id = $1 AND ticket_id = $2 ORDER BY audit_log.version_after`,
      [ctx.ws.workspaceId, IDS.wideTicket],
    );
    const { rows: parts } = await ctx.t.db.query<{ micros: string }>(
      `SELECT extract(epoch FROM created_at)::numeric * 1000000 AS micros
         FROM ticket_parts WHERE workspace_id = $1 AND ticket_id = $2 AND part_type = 'ticket_attribute_updated_by_admin'
        ORDER BY id`,
      [ctx.ws.workspaceId, IDS.wideTicket],
    );
    expect(audit).toHaveLength(WRITES);
    expect(parts).toHaveLength(WRITES);
    const backwards = (times: string[]) =>
      times.filter((time, i) => i > 0 && Number(time) < Number(times[i - 1])).length;
    expect({
      audit: backwards(audit.map((a) => a.micros)),
      parts: backwards(parts.map((p) => p.micros)),
    }).toEqual({ audit: 0, parts: 0 });
    // BEHAVIOUR.md §3: an update's part shares its time with the ticket's updated_at (and its audit row).
    expect(parts.map((p) => p.micros)).toEqual(audit.map((a) => a.micros));
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.wideTicket);
    expect(row.updated_at.getTime()).toBe(audit.at(-1)!.created_at.getTime());
  });
});
