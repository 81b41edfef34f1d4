import type { IncomingMessage } from 'node:http';
import { ApiError } from '../errors/api-error';
import { HEADERS_TOO_LARGE_MESSAGE } from './client-error';
import { MAX_HEADER_BYTES } from './http-adapter';

/**
 * The checks node:http leaves to us (http-adapter.ts): exactly one Host on HTTP/1.1 (RFC 9112 §3.2: 400
 * otherwise), and the request line and headers within 16 KiB. Node's `maxHeaderSize` counts only the bytes of
 * names and values, so 2,100 ten-byte headers (24 KB on the wire) passed it; this counts every byte of the
 * head as sent, bar optional whitespace around values, which node:http does not keep. Undefined when it is fine.
 */
export function checkRequestHead(req: IncomingMessage): ApiError | undefined {
  const raw = req.rawHeaders;
  // "METHOD SP target SP HTTP/x.y CRLF", then one "name: value CRLF" per header, then the empty line's CRLF.
  let bytes = (req.method ?? '').length + 1 + (req.url ?? '').length + 1 + 8 + 2 + 2;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) {
    bytes += raw[i].length + 2 + raw[i + 1].length + 2;
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') hosts += 1;
  }
  if (bytes > MAX_HEADER_BYTES)
    return new ApiError('request_header_fields_too_large', HEADERS_TOO_LARGE_MESSAGE);
  if (hosts > 1) return ApiError.invalid('Host', 'A request must carry a single Host header');
  if (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) {
    return ApiError.invalid('Host', 'An HTTP/1.1 request must carry a Host header');
  }
  return undefined;
}
