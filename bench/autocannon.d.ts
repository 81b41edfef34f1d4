/**
 * The part of autocannon 8's programmatic API the soak script uses (the package ships no types and
 * @types/autocannon is not a dependency). See node_modules/autocannon/README.md "API".
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  function autocannon(
    options: autocannon.Options,
    callback: (error: Error | null, result: autocannon.Result) => void,
  ): autocannon.Instance;

  namespace autocannon {
    type Headers = Record<string, string>;

    type RequestParams = {
      method?: string;
      path?: string;
      headers?: Headers;
      body?: string | Buffer;
    };

    type Request = RequestParams & {
      /** Called before each request is sent; returns the request to send. `context` lives for one request here. */
      setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
      /** Called with each complete response, before the `response` event, with the same `context`. */
      onResponse?: (
        status: number,
        body: string,
        context: Record<string, unknown>,
        headers: Record<string, string | string[]>,
      ) => void;
    };

    type Options = {
      url: string;
      connections?: number;
      duration?: number;
      /** Seconds before a request counts as timed out (and its connection is reopened). */
      timeout?: number;
      pipelining?: number;
      method?: string;
      headers?: Headers;
      requests?: Request[];
    };

    type Histogram = {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total?: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    };

    type Result = {
      duration: number;
      errors: number;
      timeouts: number;
      resets: number;
      non2xx: number;
      '2xx': number;
      '4xx': number;
      '5xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram & { totalCount: number };
      requests: Histogram & { sent: number };
      throughput: Histogram;
    };

    type Instance = EventEmitter & {
      stop: () => void;
      on(
        event: 'response',
        listener: (client: unknown, status: number, bytes: number, responseTimeMs: number) => void,
      ): Instance;
      on(event: 'reqError', listener: (error: Error & { code?: string }) => void): Instance;
    };
  }

  export = autocannon;
}
