import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, toErrorList } from '../errors/api-error';
import { MAX_HEADER_BYTES } from './http-adapter';

export type HttpEdgeOptions = {
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** Called for each answer given outside Fastify (it never reaches the metrics hook). */
  onAnswer?: (method: string, status: number) => void;
};

export const HEADERS_TOO_LARGE_MESSAGE = `Request headers are too large: the limit is ${MAX_HEADER_BYTES} bytes for the request line and headers`;

/**
 * Answers in the error.list shape, with an X-Request-Id, what node:http would answer with a bare status line:
 * requests its parser rejects before any handler runs (headers over 16 KiB, malformed request lines, a
 * request not received within REQUEST_TIMEOUT_MS) and an `Expect` other than `100-continue` (417).
 * `Expect: 100-continue` gets no 100 when the declared body is over the limit: the 413 comes at once instead.
 *
 * `onClientError` is Fastify's `clientErrorHandler` (http-adapter.ts: Fastify listens for node:http's
 * 'clientError' itself); `attach` adds the rest once the server exists.
 */
export class HttpEdge {
  /** The response being worked on, per connection: a request timeout can strike while its body is read. */
  private readonly inFlight = new WeakMap<Duplex, ServerResponse>();

  constructor(private readonly options: HttpEdgeOptions) {}

  readonly onClientError = (error: NodeJS.ErrnoException, socket: Duplex): void => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const answer = describe(error.code, this.options.requestTimeoutMs);
    const res = this.inFlight.get(socket);
    if (res) {
      // Part of this response may be on the wire already: another status line would corrupt it.
      if (res.headersSent) {
        socket.destroy();
        return;
      }
      // Through the response itself: it keeps the request's id, and the metrics and the log line see it.
      const id = res.getHeader('X-Request-Id');
      sendErrorList(res, answer, typeof id === 'string' ? id : randomUUID());
      return;
    }
    const requestId = randomUUID();
    const body = JSON.stringify(toErrorList(answer, requestId));
    this.options.onAnswer?.('(unparsed)', answer.status);
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  };

  attach(server: Server): void {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.inFlight.set(req.socket, res);
      res.once('close', () => {
        if (this.inFlight.get(req.socket) === res) this.inFlight.delete(req.socket);
      });
    });

    // Without a listener node:http answers 417 with an empty body.
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      this.options.onAnswer?.(req.method ?? '(unparsed)', 417);
      sendErrorList(
        res,
        new ApiError(
          'expectation_failed',
          'The only supported expectation is "Expect: 100-continue"',
          'Expect',
        ),
        randomUUID(),
      );
    });

    // With a listener, node:http leaves the interim 100 to us (RFC 9110 §10.1.1: a server may answer the final
    // status instead). Either way the request then goes to Fastify like any other.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      const header = req.headers['content-length'];
      const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : 0;
      if (declared <= this.options.bodyLimitBytes) res.writeContinue();
      server.emit('request', req, res);
    });
  }
}

/**
 * Writes `error` as the response, with `Connection: close`: the request's body (if any) is left unread, so the
 * connection cannot carry another request; node:http closes it once the answer is flushed.
 */
export function sendErrorList(res: ServerResponse, error: ApiError, requestId: string): void {
  const body = JSON.stringify(toErrorList(error, requestId));
  res.writeHead(error.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'X-Request-Id': requestId,
    Connection: 'close',
  });
  res.end(body);
}

function describe(code: string | undefined, requestTimeoutMs: number): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError('request_header_fields_too_large', HEADERS_TOO_LARGE_MESSAGE);
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError('request_timeout', `The request was not received within ${requestTimeoutMs} ms`);
  }
  return new ApiError('parameter_invalid', 'The request could not be parsed as HTTP');
}
