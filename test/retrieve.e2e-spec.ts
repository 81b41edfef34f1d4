import request from 'supertest';
import { API_VERSIONS, atLeast } from '../src/common/versioning/versions';
import { putTicket, useSeededApp } from './support/app';
import { auditRows, IDS, seedWorkspace, ticketState } from './support/factories';
import { STATES, statesSnapshot } from './support/states';

/** GET /tickets/{id} (BEHAVIOUR.md §6): the body `PUT {}` answers at that version, the same ETag, nothing written. */
describe('GET /tickets/:id', () => {
  const ctx = useSeededApp(() => seedWorkspace(statesSnapshot), { seed: 'once' });
  const get = (id: string, version?: string, token = ctx.ws.token) => {
    const req = request(ctx.t.http).get(`/tickets/${id}`).set('Authorization', `Bearer ${token}`);
    return version ? req.set('Intercom-Version', version) : req;
  };

  beforeAll(async () => {
    // Some history: a custom state, an assignment, an attribute part.
    await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {
      ticket_state_id: STATES.investigating,
      ticket_attributes: { Priority: 'Low' },
      assignment: { admin_id: IDS.admin, assignee_id: IDS.team },
    }).expect(200);
  });

  const servedVersions = API_VERSIONS.filter((version) => atLeast(version, '2.9'));

  it.each(servedVersions)(
    'at %s equals PUT {} byte for byte, with the same ETag and version header',
    async (version) => {
      const before = await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
      const audits = (await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).length;
      const got = await get(IDS.ticket, version).expect(200);
      const put = await putTicket(
        ctx.t.http,
        ctx.ws.token,
        IDS.ticket,
        {},
        { 'Intercom-Version': version },
      ).expect(200);
      expect(got.text).toBe(put.text);
      expect(got.headers.etag).toBe(put.headers.etag);
      expect(got.headers['intercom-version']).toBe(version);
      expect(got.headers['content-type']).toMatch(/^application\/json/);
      expect(await ticketState(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
      expect(await auditRows(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toHaveLength(audits);
    },
  );

  it('uses the workspace default version without a header', async () => {
    const res = await get(IDS.ticket).expect(200);
    expect(res.headers['intercom-version']).toBe('2.9');
    expect(res.body.ticket_state).toBe('in_progress');
  });

  it.each([
    ['an unknown ticket', '999999'],
    ['a non-numeric id', 'abc'],
    ['an id beyond bigint', '99999999999999999999'],
  ])('answers 404 ticket_not_found for %s', async (_label, id) => {
    const res = await get(id, '2.14').expect(404);
    expect(res.body).toMatchObject({
      type: 'error.list',
      errors: [{ code: 'ticket_not_found', field: 'id' }],
    });
  });

  it("answers 404 for another workspace's ticket", async () => {
    const other = await seedWorkspace();
    await get(IDS.ticket, '2.14', other.token).expect(200);
    const res = await request(ctx.t.http)
      .get(`/tickets/${IDS.wideTicket}`)
      .set('Authorization', `Bearer ${other.token}`)
      .expect(200);
    expect(res.body.ticket_attributes).toEqual({ _default_title_: 'Wide one' });
    // The seeded workspace's ticket is unchanged by the other workspace's reads: its own state is there.
    expect((await get(IDS.ticket, '2.9').expect(200)).body.ticket_state_internal_label).toBe('Investigating');
  });

  it('checks authentication, then the version', async () => {
    await get(IDS.ticket, '2.14', 'nope').expect(401);
    const old = await get(IDS.ticket, '2.8').expect(400);
    expect(old.body.errors[0]).toMatchObject({ code: 'intercom_version_invalid', field: 'Intercom-Version' });
    const unknown = await get(IDS.ticket, '2.17').expect(400);
    expect(unknown.body.errors[0].message).toMatch(/^The requested version could not be found/);
  });
});
