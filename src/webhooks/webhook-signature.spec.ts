import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeaders } from './webhook-signature';

describe('webhook signatures', () => {
  const body = Buffer.from(
    JSON.stringify({ type: 'notification_event', id: 'notif_1', topic: 'ticket.closed' }),
  );

  it('makes secrets of 32 random bytes, Standard Webhooks style', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(generateSecret()).not.toBe(secret);
  });

  it('signs as the standardwebhooks package verifies, timestamped', () => {
    const secret = generateSecret();
    const now = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders(secret, 'notif_1', now, body);
    expect(headers).toMatchObject({ 'webhook-id': 'notif_1', 'webhook-timestamp': String(now) });
    expect(new Webhook(secret).verify(body.toString(), headers)).toEqual(JSON.parse(body.toString()));
    // The package's own signature is the same string.
    expect(headers['webhook-signature']).toBe(
      new Webhook(secret).sign('notif_1', new Date(now * 1000), body.toString()),
    );
    // Another id, another time or another body does not verify.
    expect(() =>
      new Webhook(secret).verify(body.toString(), { ...headers, 'webhook-id': 'notif_2' }),
    ).toThrow();
    expect(() => new Webhook(secret).verify(`${body.toString()} `, headers)).toThrow();
    const stale = signatureHeaders(secret, 'notif_1', now - 600, body);
    expect(() => new Webhook(secret).verify(body.toString(), stale)).toThrow(/too old/);
  });

  it("signs X-Hub-Signature as Intercom does: sha1 HMAC of the raw body, keyed with the secret's text", () => {
    const secret = generateSecret();
    const headers = signatureHeaders(secret, 'notif_1', 1_700_000_000, body);
    expect(headers['X-Hub-Signature']).toBe(`sha1=${createHmac('sha1', secret).update(body).digest('hex')}`);
  });
});
