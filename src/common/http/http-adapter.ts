import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { createServer, type RequestListener, type ServerOptions } from 'node:http';
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
 * node:http options that only `http.createServer()` takes. They bound the time to receive a request
 * (REQUEST_TIMEOUT_MS, 408); the database side is bounded by statement_timeout (data-source.ts).
 */
export function httpServerOptions(requestTimeoutMs: number): ServerOptions {
  return {
    requestTimeout: requestTimeoutMs,
    // Node requires headersTimeout <= requestTimeout.
    headersTimeout: Math.min(requestTimeoutMs, 60_000),
    connectionsCheckingInterval: connectionsCheckingInterval(requestTimeoutMs),
    // Node's own check answers a bare 400 with no body; request-head.ts answers an error.list.
    requireHostHeader: false,
    // Node's default too, but stated: `--max-http-header-size` must not raise it behind our back. Node counts
    // only the bytes of names and values against it, so request-head.ts checks the whole head.
    maxHeaderSize: MAX_HEADER_BYTES,
  };
}

/** Where the HTTP layer answers on its own: a request node:http's parser refuses (client-error.ts). */
export type ClientErrorHandler = NonNullable<FastifyServerOptions['clientErrorHandler']>;
export type FrameworkErrorHandler = NonNullable<FastifyServerOptions['frameworkErrors']>;

/**
 * Fastify (README "Performance": on Fastify the server's CPU per update over the yardstick's fell from 1.11 to
 * 0.51 ms) on a node:http
 * server built with `serverOptions`. Requests are routed case-insensitively and with or without a trailing
 * slash, as Express did; any id up to the request line's limit reaches the route (a long one is an unknown
 * ticket, 404 `ticket_not_found`, not an unknown route). Request ids are this service's own (UUIDs); an
 * incoming `request-id` header is never trusted. Fastify logs nothing: the request log is
 * common/logging/logging.ts.
 */
export function createHttpAdapter(options: {
  serverOptions: ServerOptions;
  clientErrorHandler: ClientErrorHandler;
  /** Fastify's own refusals before routing (a request target that is not valid percent-encoding). */
  frameworkErrors: FrameworkErrorHandler;
  genReqId: () => string;
}): FastifyAdapter {
  const { serverOptions, clientErrorHandler, frameworkErrors, genReqId } = options;
  return new FastifyAdapter({
    serverFactory: (handler) => {
      const server = createServer(serverOptions, handler as RequestListener);
      // Headers past Node's default count of 2,000 would be dropped unseen, and then not counted by the
      // request-head check; the byte limit bounds their number anyway.
      server.maxHeadersCount = 0;
      return server;
    },
    clientErrorHandler,
    frameworkErrors,
    genReqId,
    requestIdHeader: false,
    logger: false,
    routerOptions: {
      caseSensitive: false,
      ignoreTrailingSlash: true,
      maxParamLength: MAX_HEADER_BYTES,
    },
    // No Nest middleware runs (the service has none): no @fastify/middie on every request.
    skipMiddie: true,
  } as ConstructorParameters<typeof FastifyAdapter>[0]) as FastifyAdapter;
}

/** `http://host:port` for an address node:net reports (IPv6 in brackets). */
export function urlOf(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
