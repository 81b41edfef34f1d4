import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorListBody } from '../errors/api-error';
import type { ErrorCode } from '../errors/error-codes';

/**
 * Requests Node's HTTP parser rejects before any handler runs (headers over 16 KiB, malformed request lines,
 * a header timeout) still get the error.list shape and an X-Request-Id instead of Node's bare status line.
 */
export function answerClientErrorsWithErrorList(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const [status, code, message] = describe(error.code);
    const requestId = randomUUID();
    const body = JSON.stringify({
      type: 'error.list',
      request_id: requestId,
      errors: [{ code, message }],
    } satisfies ErrorListBody);
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function describe(code: string | undefined): [number, ErrorCode, string] {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return [431, 'request_header_fields_too_large', 'Request headers are too large (16 KiB at most)'];
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return [408, 'request_timeout', 'The request was not received in time'];
  return [400, 'parameter_invalid', 'The request could not be parsed as HTTP'];
}
