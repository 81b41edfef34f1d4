import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createServer, type ServerOptions } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The request line and headers together; 431 beyond (README "Configuration" promises 16 KiB). */
export const MAX_HEADER_BYTES = 16 * 1024;

/**
 * How often node:http looks for connections past `headersTimeout` / `requestTimeout`. Its default, 30 s, made a
 * 15 s REQUEST_TIMEOUT_MS cut slow clients after 26–38 s; a tenth of the limit (0.1–1 s) keeps the limit true
 * to within 10% for a scan of the open connections' parsers, which is cheap.
 */
export function connectionsCheckingInterval(requestTimeoutMs: number): number {
  return Math.min(1_000, Math.max(100, Math.floor(requestTimeoutMs / 10)));
}

/**
 * node:http options that only `http.createServer()` takes; Nest's ExpressAdapter passes it none. They bound the
 * time to receive a request (REQUEST_TIMEOUT_MS, 408); the database side is bounded by statement_timeout
 * (data-source.ts).
 */
export function httpServerOptions(requestTimeoutMs: number): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    // Node requires headersTimeout <= requestTimeout.
    headersTimeout: Math.min(requestTimeoutMs, 60_000),
    connectionsCheckingInterval: connectionsCheckingInterval(requestTimeoutMs),
    // Node's own check answers a bare 400 with no body; request-head.middleware.ts answers an error.list.
    requireHostHeader: false,
    // Node's default too, but stated: `--max-http-header-size` must not raise it behind our back. Node counts
    // only the bytes of names and values against it, so request-head.middleware.ts checks the whole head.
    maxHeaderSize: MAX_HEADER_BYTES,
  };
}

/** ExpressAdapter creating its server with `options` (https and forceCloseConnections are not used here). */
export class TunedExpressAdapter extends ExpressAdapter {
  constructor(private readonly serverOptions: ServerOptions) {
    super();
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions || options.forceCloseConnections) {
      throw new Error('TunedExpressAdapter supports neither httpsOptions nor forceCloseConnections');
    }
    const server = createServer(this.serverOptions, this.getInstance());
    // Headers past Node's default count of 2,000 would be dropped unseen, and then not counted by the
    // request-head check; the byte limit bounds their number anyway.
    server.maxHeadersCount = 0;
    this.httpServer = server;
  }
}

/** `http://host:port` for an address node:net reports (IPv6 in brackets). */
export function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
