import { randomUUID } from 'node:crypto';
import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, toErrorList } from '../errors/api-error';

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
    const answer = describe(error.code);
    const requestId = randomUUID();
    const body = JSON.stringify(toErrorList(answer, requestId));
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

function describe(code: string | undefined): ApiError {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return new ApiError('request_header_fields_too_large', 'Request headers are too large (16 KiB at most)');
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError('request_timeout', 'The request was not received in time');
  }
  return new ApiError('parameter_invalid', 'The request could not be parsed as HTTP');
}
