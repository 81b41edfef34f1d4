import request from 'supertest';
import { IDS, seedWorkspace, ticketState } from './support/factories';
import { putTicket, startApp, useSeededApp } from './support/app';

describe('security headers, CORS and limits', () => {
  const ctx = useSeededApp(seedWorkspace, { seed: 'once' });

  it('sends helmet headers and no X-Powered-By, on success and on errors', async () => {
    for (const res of [
      await putTicket(ctx.t.http, ctx.ws.token, IDS.ticket, {}).expect(200),
      await request(ctx.t.http).put(`/tickets/${IDS.ticket}`).expect(401),
    ]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toBeDefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('answers no CORS headers unless origins are configured', async () => {
    const res = await request(ctx.t.http)
      .options(`/tickets/${IDS.ticket}`)
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'PUT');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with CORS_ORIGINS, allows exactly those origins', async () => {
    const cors = await startApp({ CORS_ORIGINS: 'https://app.example, https://admin.example' });
    try {
      const allowed = await request(cors.http)
        .options(`/tickets/${IDS.ticket}`)
        .set('Origin', 'https://admin.example')
        .set('Access-Control-Request-Method', 'PUT');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://admin.example');
      const denied = await request(cors.http)
        .options(`/tickets/${IDS.ticket}`)
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'PUT');
      expect(denied.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await cors.close();
    }
  });

  it('a smaller BODY_LIMIT_BYTES answers 413 in the error.list shape and writes nothing', async () => {
    const small = await startApp({ BODY_LIMIT_BYTES: '2048' });
    try {
      const before = await ticketState(small.db, ctx.ws.workspaceId, IDS.ticket);
      const body = JSON.stringify({ ticket_attributes: { _default_description_: 'x'.repeat(3000) } });
      const res = await putTicket(small.http, ctx.ws.token, IDS.ticket, body).expect(413);
      expect(res.body).toEqual({
        type: 'error.list',
        request_id: res.headers['x-request-id'],
        errors: [
          { code: 'request_entity_too_large', message: 'Request body is too large: the limit is 2048 bytes' },
        ],
      });
      expect(await ticketState(small.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    } finally {
      await small.close();
    }
  });

  it('a request stuck on a locked ticket past REQUEST_TIMEOUT_MS gets 503 and writes nothing', async () => {
    const slow = await startApp({ REQUEST_TIMEOUT_MS: '500' });
    const locker = await slow.db.connect();
    try {
      const before = await ticketState(slow.db, ctx.ws.workspaceId, IDS.ticket);
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM tickets WHERE workspace_id = $1 AND id = $2 FOR UPDATE', [
        ctx.ws.workspaceId,
        IDS.ticket,
      ]);
      const res = await putTicket(slow.http, ctx.ws.token, IDS.ticket, { state: 'resolved' }).expect(503);
      expect(res.body.errors).toEqual([
        { code: 'service_unavailable', message: 'The request timed out, please retry' },
      ]);
      await locker.query('ROLLBACK');
      expect(await ticketState(slow.db, ctx.ws.workspaceId, IDS.ticket)).toEqual(before);
    } finally {
      locker.release();
      await slow.close();
    }
  });
});
