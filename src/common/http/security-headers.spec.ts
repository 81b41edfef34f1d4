import helmet from 'helmet';
import type { ServerResponse } from 'node:http';
import { applyHeaderEdits, recordHeaderEdits } from './security-headers';

describe('recordHeaderEdits', () => {
  it("records helmet's headers once and replays them exactly", () => {
    const live = new Map<string, unknown>();
    const res = {
      setHeader: (name: string, value: unknown) => live.set(name.toLowerCase(), value),
      removeHeader: (name: string) => live.delete(name.toLowerCase()),
    } as unknown as ServerResponse;
    const edits = recordHeaderEdits(helmet());
    live.set('x-powered-by', 'something');
    applyHeaderEdits(res, edits);
    expect(live.get('x-content-type-options')).toBe('nosniff');
    expect(live.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(live.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(String(live.get('content-security-policy'))).toContain("default-src 'self'");
    expect(live.has('x-powered-by')).toBe(false);
  });

  it('refuses a middleware whose headers depend on the request', () => {
    expect(() =>
      recordHeaderEdits((req, res, next) => {
        res.setHeader('Vary', req.headers.origin ?? '*');
        next();
      }),
    ).toThrow(/reads the request \(headers\)/);
  });

  it('refuses a middleware that does more than set headers, or finishes later', () => {
    expect(() =>
      recordHeaderEdits((_req, res, next) => {
        res.statusCode = 500;
        next();
      }),
    ).toThrow(/statusCode/);
    expect(() => recordHeaderEdits((_req, _res, next) => setImmediate(next))).toThrow(/synchronously/);
  });
});
