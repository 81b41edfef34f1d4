import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { testDatabaseUrl, useSeededApp } from './support/app';
import { lockTicket, waitUntilBlockedBy } from './support/locks';
import {
  auditRows,
  IDS,
  partRows,
  seedWorkspace,
  ticketRow,
  ticketVersion,
  WIDE_ATTRIBUTES,
  type PartRow,
} from './support/factories';
import { sleep } from './support/server-process';

/** Client-side bound on every request: one that takes longer fails the test as a hang. */
const CLIENT_TIMEOUT = { response: 20_000, deadline: 25_000 };

const IN_USE = {
  code: 'idempotency_key_in_use',
  message: 'A request with this Idempotency-Key is still in progress; retry after it completes',
  field: 'Idempotency-Key',
};

type TicketBody = { ticket_attributes: Record<string, unknown> };

describe('contention on one ticket', () => {
  // The retry loops below send well over the default 1667 requests per 10 s of one workspace; a real
  // listening socket, so the clients' requests really are in flight together.
  const ctx = useSeededApp(seedWorkspace, { env: { RATE_LIMIT_PER_10S: '1000000' }, listen: true });

  const put = (id: string, body: object, headers: Record<string, string> = {}) => {
    const req = request(ctx.baseUrl)
      .put(`/tickets/${id}`)
      .set('Authorization', `Bearer ${ctx.ws.token}`)
      .set('Intercom-Version', '2.9')
      .timeout(CLIENT_TIMEOUT);
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    return req.send(body);
  };

  const version = (id: string) => ticketVersion(ctx.t.db, ctx.ws.workspaceId, id);
  const audit = (id: string) => auditRows(ctx.t.db, ctx.ws.workspaceId, id);

  const storedKeys = async () =>
    (
      await ctx.t.db.query<{ key: string }>('SELECT key FROM idempotency_keys WHERE workspace_id = $1', [
        ctx.ws.workspaceId,
      ])
    ).rows.map((row) => row.key);

  it('100 updates from 10 clients retrying with If-Match and Idempotency-Key: each applied exactly once', async () => {
    const CLIENTS = 10;
    const CHANGES = 10;
    const MAX_ATTEMPTS = 500;
    const id = IDS.wideTicket;
    const partsBefore = await partRows(ctx.t.db, ctx.ws.workspaceId, id);
    const versionBefore = await version(id);
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const keys: string[] = [];

    /** The ticket as it is now, through a PUT that changes nothing (no part, no version bump). */
    const read = async (): Promise<{ etag: string; attributes: Record<string, unknown> }> => {
      for (let attempt = 1; attempt <= 20; attempt++) {
        const res = await put(id, {});
        if (res.status === 200) {
          return { etag: String(res.headers.etag), attributes: (res.body as TicketBody).ticket_attributes };
        }
        if (res.status !== 503) throw new Error(`read answered ${res.status}: ${res.text}`);
        await sleep(20);
      }
      throw new Error('read did not succeed in 20 attempts');
    };

    // Client c owns field_{c+1} and appends ",i" for its i-th change, computed from what it last read: a
    // lost update drops a number, a doubled write repeats one.
    const client = async (c: number) => {
      const name = WIDE_ATTRIBUTES[c];
      for (let i = 0; i < CHANGES; i++) {
        const key = `c${c}-change${i}-${randomUUID()}`;
        keys.push(key);
        let current = await read();
        const next = () => {
          const previous = current.attributes[name];
          if (previous === undefined) return String(i);
          if (typeof previous !== 'string')
            throw new Error(`${name} is not a string: ${JSON.stringify(previous)}`);
          return `${previous},${i}`;
        };
        let value = next();
        for (let attempt = 1; ; attempt++) {
          if (attempt > MAX_ATTEMPTS)
            throw new Error(`client ${c} change ${i}: no success in ${MAX_ATTEMPTS}`);
          const res = await put(
            id,
            { ticket_attributes: { [name]: value } },
            { 'If-Match': current.etag, 'Idempotency-Key': key },
          );
          count(res.status);
          if (res.status === 200) {
            const applied = (res.body as TicketBody).ticket_attributes[name];
            if (applied !== value)
              throw new Error(`client ${c} change ${i}: sent ${value}, got ${String(applied)}`);
            break;
          }
          if (res.status === 412) {
            expect(res.body.errors[0]).toMatchObject({ code: 'precondition_failed', field: 'If-Match' });
            // Someone else committed in between: read again and recompute (the same key: one intended change).
            await sleep(Math.random() * 10);
            current = await read();
            value = next();
            continue;
          }
          if (res.status === 409 || res.status === 503) {
            // Still in flight, or the outcome is unknown: the very same request again; the key makes it safe.
            await sleep(5 + Math.random() * 10);
            continue;
          }
          throw new Error(`client ${c} change ${i}: unexpected ${res.status} ${res.text}`);
        }
      }
    };

    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));

    // Everyone's changes are all there, each once and in order.
    const expected = Array.from({ length: CHANGES }, (_, i) => i).join(',');
    const row = await ticketRow(ctx.t.db, ctx.ws.workspaceId, id);
    expect(row.attributes).toEqual({
      _default_title_: 'Wide one',
      ...Object.fromEntries(WIDE_ATTRIBUTES.slice(0, CLIENTS).map((name) => [name, expected])),
    });
    expect((await read()).attributes).toEqual(row.attributes);

    const parts = await partRows(ctx.t.db, ctx.ws.workspaceId, id);
    expect(parts).toHaveLength(partsBefore.length + CLIENTS * CHANGES);
    expect(parts.slice(0, partsBefore.length)).toEqual(partsBefore);
    expect(new Set(parts.slice(partsBefore.length).map((p) => p.part_type))).toEqual(
      new Set(['ticket_attribute_updated_by_admin']),
    );

    expect(await version(id)).toBe(versionBefore + CLIENTS * CHANGES);
    const rows = await audit(id);
    expect(rows).toHaveLength(CLIENTS * CHANGES);
    expect(rows.map((a) => [Number(a.version_before), Number(a.version_after)])).toEqual(
      rows.map((_, k) => [versionBefore + k, versionBefore + k + 1]),
    );
    // One audit row per intended change, carrying its key; each changed only its client's attribute.
    expect(rows.map((a) => a.idempotency_key).sort()).toEqual([...keys].sort());
    for (let c = 0; c < CLIENTS; c++) {
      const field = `ticket_attributes.${WIDE_ATTRIBUTES[c]}`;
      const mine = rows.filter((a) => a.idempotency_key!.startsWith(`c${c}-`));
      expect(mine.map((a) => a.changes)).toEqual(
        Array.from({ length: CHANGES }, (_, i) => ({
          [field]: {
            before: i === 0 ? null : Array.from({ length: i }, (_, j) => j).join(','),
            after: Array.from({ length: i + 1 }, (_, j) => j).join(','),
          },
        })),
      );
    }
    expect((await storedKeys()).sort()).toEqual([...keys].sort());
    // The clients really did collide (otherwise this test proves nothing about contention).
    expect(statuses.get(200)).toBe(CLIENTS * CHANGES);
    expect(statuses.get(412) ?? 0).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => ![200, 409, 412, 503].includes(s))).toEqual([]);
  }, 180_000);

  const body = {
    state: 'in_progress',
    ticket_attributes: { Priority: 'Low' },
    assignment: { admin_id: IDS.admin, assignee_id: IDS.team },
  };
  const newPartTypes = ['assignment', 'ticket_attribute_updated_by_admin', 'ticket_state_updated_by_admin'];

  /** `body` was applied exactly once under `key`: its three parts, one version bump, one audit row. */
  const expectAppliedOnce = async (partsBefore: PartRow[], versionBefore: number, key: string) => {
    const parts = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(parts).toHaveLength(partsBefore.length + 3);
    expect(
      parts
        .slice(partsBefore.length)
        .map((p) => p.part_type)
        .sort(),
    ).toEqual(newPartTypes);
    expect(await version(IDS.ticket)).toBe(versionBefore + 1);
    expect((await audit(IDS.ticket)).map((a) => a.idempotency_key)).toEqual([key]);
  };

  it('the same PUT sent 5 times in a row with one Idempotency-Key: 5 × 200, one set of parts', async () => {
    const partsBefore = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const versionBefore = await version(IDS.ticket);
    const key = randomUUID();
    const responses = [];
    for (let i = 0; i < 5; i++) responses.push(await put(IDS.ticket, body, { 'Idempotency-Key': key }));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(responses.map((r) => r.headers['idempotent-replayed'])).toEqual([
      undefined,
      'true',
      'true',
      'true',
      'true',
    ]);
    const [first, ...replays] = responses;
    for (const replay of replays) {
      expect(replay.text).toBe(first.text);
      expect(replay.headers.etag).toBe(first.headers.etag);
    }
    expect(first.headers.etag).toBe(`"${IDS.ticket}.${versionBefore + 1}"`);
    expect(first.body).toMatchObject({ ticket_state: 'in_progress', team_assignee_id: IDS.team });

    await expectAppliedOnce(partsBefore, versionBefore, key);
    expect(await storedKeys()).toEqual([key]);
  });

  it('the same PUT sent 5 times at once with one Idempotency-Key: one set of parts, 200 or 409 each', async () => {
    const partsBefore = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const versionBefore = await version(IDS.ticket);
    const key = randomUUID();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => put(IDS.ticket, body, { 'Idempotency-Key': key })),
    );

    const served = responses.filter((r) => r.status === 200);
    const refused = responses.filter((r) => r.status !== 200);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body).toEqual({ type: 'error.list', request_id: r.headers['x-request-id'], errors: [IN_USE] });
    }
    const original = served.filter((r) => r.headers['idempotent-replayed'] === undefined);
    expect(original).toHaveLength(1);
    for (const r of served) {
      expect(r.text).toBe(original[0].text);
      expect(r.headers.etag).toBe(`"${IDS.ticket}.${versionBefore + 1}"`);
      if (r !== original[0]) expect(r.headers['idempotent-replayed']).toBe('true');
    }

    await expectAppliedOnce(partsBefore, versionBefore, key);

    // Whatever each send got, a later one replays the single stored response.
    const later = await put(IDS.ticket, body, { 'Idempotency-Key': key }).expect(200);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.text).toBe(original[0].text);
  });

  it('while the first send holds its key (blocked on the ticket), 4 more get 409 and write nothing', async () => {
    const partsBefore = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const versionBefore = await version(IDS.ticket);
    const key = randomUUID();
    const locker = await lockTicket(testDatabaseUrl(), ctx.ws);
    let firstSend: Promise<request.Response> | undefined;
    try {
      firstSend = put(IDS.ticket, body, { 'Idempotency-Key': key }).then((res) => res);
      // It has taken the key (first statement of its transaction) once it waits on our row lock.
      await waitUntilBlockedBy(ctx.t.db, locker.pid);

      const others = await Promise.all(
        Array.from({ length: 4 }, () => put(IDS.ticket, body, { 'Idempotency-Key': key })),
      );
      for (const r of others) {
        expect(r.status).toBe(409);
        expect(r.headers['retry-after']).toBe('1');
        expect(r.body).toEqual({
          type: 'error.list',
          request_id: r.headers['x-request-id'],
          errors: [IN_USE],
        });
      }
      expect(await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(partsBefore);
      expect(await storedKeys()).toEqual([]);

      await locker.client.query('ROLLBACK');
      const first = await firstSend;
      expect(first.status).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();

      const retried = await put(IDS.ticket, body, { 'Idempotency-Key': key }).expect(200);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(retried.text).toBe(first.text);
    } finally {
      await locker.client.end();
      await firstSend?.catch(() => undefined);
    }
    const parts = await partRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    expect(parts).toHaveLength(partsBefore.length + 3);
    expect(await version(IDS.ticket)).toBe(versionBefore + 1);
    expect((await audit(IDS.ticket)).map((a) => a.idempotency_key)).toEqual([key]);
  });
});
