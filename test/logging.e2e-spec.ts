import request from 'supertest';
import { IDS, seedWorkspace, ticketRow } from './support/factories';
import { putTicket, useSeededApp } from './support/app';

type LogLine = Record<string, unknown> & {
  req?: { id?: string; method?: string; url?: string };
  res?: { status?: number; error_code?: string };
  responseTime?: number;
  workspace_id?: string;
  route?: string;
};

describe('structured request logs', () => {
  const lines: string[] = [];
  const ctx = useSeededApp(seedWorkspace, {
    env: { LOG_LEVEL: 'info' },
    logDestination: { write: (line: string) => void lines.push(line) },
    seed: 'once',
  });
  beforeEach(() => {
    lines.length = 0;
  });

  const parsed = (): LogLine[] => lines.map((line) => JSON.parse(line) as LogLine);
  const forRequest = (id: string) => parsed().filter((line) => line.req?.id === id);

  it('logs one JSON line per request with request id, workspace, route, status and duration', async () => {
    const res = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).expect(200);
    const [line, ...rest] = forRequest(res.headers['x-request-id']);
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({
      workspace_id: ctx.ws.workspaceId,
      route: '/tickets/:id',
      req: { method: 'PUT', url: `/tickets/${IDS.ticket}` },
      res: { status: 200 },
    });
    expect(typeof line.responseTime).toBe('number');
    expect((await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).state).toBe('resolved');
  });

  it('never writes a token: not from the Authorization header, Basic credentials or the query string', async () => {
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const bearer = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    const basic = await request(ctx.t.http)
      .put(`/tickets/${IDS.ticket}`)
      .set('Authorization', `Basic ${Buffer.from(`${ctx.ws.token}:`).toString('base64')}`)
      .expect(200);
    const query = await request(ctx.t.http)
      .put(`/tickets/${IDS.ticket}?access_token=${ctx.ws.token}`)
      .expect(401);
    const unknown = await request(ctx.t.http)
      .put(`/tickets/${IDS.ticket}`)
      .set('Authorization', 'Bearer tok_secret_guess')
      .expect(401);

    for (const res of [bearer, basic, query, unknown]) {
      expect(forRequest(res.headers['x-request-id'])).toHaveLength(1);
    }
    const everything = lines.join('\n');
    expect(everything).not.toContain(ctx.ws.token);
    expect(everything).not.toContain(Buffer.from(`${ctx.ws.token}:`).toString('base64'));
    expect(everything).not.toContain('tok_secret_guess');
    expect(everything).toContain('access_token=[REDACTED]');
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });

  it('logs requests outside the Nest router too (/openapi.json), and no more than one line each', async () => {
    const res = await request(ctx.t.http).get('/openapi.json').expect(200);
    const [line, ...rest] = forRequest(res.headers['x-request-id']);
    expect(rest).toHaveLength(0);
    expect(line).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', url: '/openapi.json' },
    });
    expect(line.workspace_id).toBeUndefined();
  });

  it('a 401 line has no workspace; an unknown route is labelled as unmatched by status 404', async () => {
    const res = await request(ctx.t.http).get('/nope').expect(404);
    const [line] = forRequest(res.headers['x-request-id']);
    expect(line).toMatchObject({ res: { status: 404, error_code: 'not_found' } });
    expect(line.workspace_id).toBeUndefined();
  });

  it('a 4xx line carries the error.list code; a 200 line has none', async () => {
    const before = await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket);
    const missing = await putTicket(ctx.t.http, ctx.ws.token, '999999', {}).expect(404);
    const invalid = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, { state: 'open' }).expect(400);
    const ok = await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200);
    expect(forRequest(missing.headers['x-request-id'])[0].res).toEqual({
      status: 404,
      error_code: 'ticket_not_found',
    });
    expect(forRequest(invalid.headers['x-request-id'])[0].res).toEqual({
      status: 400,
      error_code: 'parameter_invalid',
    });
    expect(forRequest(ok.headers['x-request-id'])[0].res).toEqual({ status: 200 });
    expect(await ticketRow(ctx.t.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
  });
});
