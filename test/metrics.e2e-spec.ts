import request from 'supertest';
import { IDS, seedWorkspace, ticketRow, type SeededWorkspace } from './support/factories';
import { putTicket, startApp, type TestApp } from './support/app';

/** The value of one sample line, e.g. `http_requests_total{method="PUT",...} 2`. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;
  let ws: SeededWorkspace;

  beforeAll(async () => {
    t = await startApp();
    ws = await seedWorkspace();
  });
  afterAll(() => t.close());

  it('counts requests and times them by route and status, with pool and process metrics', async () => {
    await putTicket(t.http, ws.token, IDS.ticket, { state: 'in_progress' }).expect(200);
    await putTicket(t.http, ws.token, IDS.ticket, { state: 'resolved' }).expect(200);
    await putTicket(t.http, ws.token, '999999', {}).expect(404);
    await request(t.http).put(`/tickets/${IDS.ticket}`).expect(401);

    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.text;
    expect(sample(text, 'http_requests_total', 'method="PUT",route="/tickets/:id",status="200"')).toBe(2);
    expect(sample(text, 'http_requests_total', 'method="PUT",route="/tickets/:id",status="404"')).toBe(1);
    expect(sample(text, 'http_requests_total', 'status="401"')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', 'route="/tickets/:id",status="200"')).toBe(2);
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{le="0\.05",method="PUT",route="\/tickets\/:id",status="200"\} \d/,
    );
    expect(text).toMatch(/^db_pool_max_connections 10$/m);
    expect(text).toMatch(/^db_pool_connections \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    // The raw URL never becomes a label (bounded cardinality): the unknown id is not in it.
    expect(text).not.toMatch(/route="[^"]*\d/);
    expect((await ticketRow(t.db, ws.workspaceId, IDS.ticket)).state).toBe('resolved');
  });

  it('needs no token', async () => {
    await request(t.http).get('/metrics').expect(200);
  });
});

describe('METRICS_ENABLED=false', () => {
  it('serves no /metrics route', async () => {
    const t = await startApp({ METRICS_ENABLED: 'false' });
    try {
      const res = await request(t.http).get('/metrics').expect(404);
      expect(res.body).toMatchObject({ type: 'error.list', errors: [{ code: 'not_found' }] });
    } finally {
      await t.close();
    }
  });
});
