import request from 'supertest';
import {
  IDS,
  partRows,
  seedWorkspace,
  ticketRow,
  WIDE_ATTRIBUTES,
  type SeededWorkspace,
} from './support/factories';
import { startApp, type TestApp } from './support/app';

describe('concurrent updates of one ticket', () => {
  let t: TestApp;
  let baseUrl: string;
  let ws: SeededWorkspace;

  beforeAll(async () => {
    t = await startApp();
    // A real listening socket, so the 20 requests really are in flight together.
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    ws = await seedWorkspace();
  });

  const put = (body: object) =>
    request(baseUrl)
      .put(`/tickets/${IDS.wideTicket}`)
      .set('Authorization', `Bearer ${ws.token}`)
      .set('Intercom-Version', '2.9')
      .send(body);

  it('20 concurrent updates of different attributes lose nothing', async () => {
    const before = await partRows(t.db, ws.workspaceId, IDS.wideTicket);
    const responses = await Promise.all(
      WIDE_ATTRIBUTES.map((name, i) => put({ ticket_attributes: { [name]: `value ${i + 1}` } })),
    );
    expect(responses.map((r) => r.status)).toEqual(WIDE_ATTRIBUTES.map(() => 200));

    const row = await ticketRow(t.db, ws.workspaceId, IDS.wideTicket);
    const expected = Object.fromEntries(WIDE_ATTRIBUTES.map((name, i) => [name, `value ${i + 1}`]));
    expect(row.attributes).toEqual({ _default_title_: 'Wide one', ...expected });

    const parts = await partRows(t.db, ws.workspaceId, IDS.wideTicket);
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

    const parts = (await partRows(t.db, ws.workspaceId, IDS.wideTicket)).filter(
      (p) => p.part_type === 'ticket_state_updated_by_admin',
    );
    let previous = 'submitted';
    for (const part of parts) {
      expect(part.previous_ticket_state).toBe(previous);
      expect(part.ticket_state).not.toBe(previous);
      previous = part.ticket_state!;
    }
    expect((await ticketRow(t.db, ws.workspaceId, IDS.wideTicket)).state).toBe(previous);
  });
});
