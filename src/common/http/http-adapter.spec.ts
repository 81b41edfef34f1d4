import { connectionsCheckingInterval, httpServerOptions, urlOf } from './http-adapter';

describe('httpServerOptions', () => {
  it('checks for expired requests every tenth of REQUEST_TIMEOUT_MS, between 0.1 and 1 s', () => {
    expect(connectionsCheckingInterval(15_000)).toBe(1_000);
    expect(connectionsCheckingInterval(2_000)).toBe(200);
    expect(connectionsCheckingInterval(100)).toBe(100);
    expect(connectionsCheckingInterval(600_000)).toBe(1_000);
  });

  it('keeps headersTimeout within requestTimeout, as node:http requires', () => {
    expect(httpServerOptions(15_000)).toMatchObject({ requestTimeout: 15_000, headersTimeout: 15_000 });
    expect(httpServerOptions(120_000)).toMatchObject({ requestTimeout: 120_000, headersTimeout: 60_000 });
    expect(httpServerOptions(15_000)).toMatchObject({ requireHostHeader: false, maxHeaderSize: 16_384 });
  });
});

describe('urlOf', () => {
  it('brackets IPv6 addresses', () => {
    expect(urlOf({ address: '127.0.0.1', family: 'IPv4', port: 3000 })).toBe('http://127.0.0.1:3000');
    expect(urlOf({ address: '::', family: 'IPv6', port: 9464 })).toBe('http://[::]:9464');
  });
});
