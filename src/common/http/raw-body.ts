import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '../errors/api-error';
import { ERROR_MESSAGES } from '../errors/error-messages';

/*
 * The body is read as bytes, whatever its declared type (in the first request hook, app.factory.ts): it
 * is parsed by the service after authentication, version and ticket lookup (BEHAVIOUR.md §4 order of checks).
 * Only the size limit is enforced here (413), and it is the one check before authentication, so an oversized
 * body must cost the server next to nothing: a declared `Content-Length` over the limit is refused before a byte
 * of the body is read, a chunked or compressed one the moment it crosses the limit, and the connection is then
 * closed (`Connection: close`, app.factory.ts) so the rest of the upload is never read. body-parser, used
 * before, read every rejected body to its end (read.js `dump()`: `req.resume()` + on-finished) before answering.
 */

export function bodyTooLarge(limit: number): ApiError {
  return new ApiError('request_entity_too_large', ERROR_MESSAGES.bodyTooLarge(limit));
}

/** The declared `Content-Length`, when there is a valid one (node:http has already refused a malformed one). */
function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  return header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined;
}

/**
 * The body's bytes (decoded, for `Content-Encoding: gzip`, `deflate` or `br`), or undefined for a request
 * without a body. The limit applies to the bytes received and, for a compressed body, to the decoded bytes
 * too (a gzip bomb is 413). Only incompressible data decodes to fewer bytes than it was sent as, and then by
 * a few bytes per 16 KiB, so bounding the wire bytes too refuses nothing that could have fitted decoded.
 */
/** Whether the request has a body at all (node:http has refused one with neither header where it needs one). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const length = declaredLength(req);
  if (length === undefined && req.headers['transfer-encoding'] === undefined) {
    return Promise.resolve(undefined);
  }
  if (length !== undefined && length > limit) return Promise.reject(bodyTooLarge(limit));

  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Transform | undefined;
  if (encoding === 'gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding === 'br') decoder = createBrotliDecompress();
  else if (encoding !== 'identity') {
    return Promise.reject(
      new ApiError(
        'unsupported_media_type',
        'Content-Encoding must be gzip, deflate or br, or absent',
        'Content-Encoding',
      ),
    );
  }

  return new Promise<Buffer>((resolve, reject) => {
    const socket = req.socket;
    const chunks: Buffer[] = [];
    let received = 0;
    let decoded = 0;
    let settled = false;
    const finish = (error: ApiError | undefined, body?: Buffer): void => {
      if (settled) return;
      settled = true;
      req.off('data', onWire);
      socket.off('close', cutOff);
      decoder?.off('data', onDecoded);
      if (error) {
        // Stop reading: nothing more is parsed, and node:http's own clean-up after the answer is bounded by
        // what the socket already holds; the connection is closed once the answer is flushed.
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        req.pause();
        reject(error);
      } else {
        resolve(body ?? Buffer.alloc(0));
      }
    };
    const onWire = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limit) finish(bodyTooLarge(limit));
      else if (!decoder) chunks.push(chunk);
    };
    const onDecoded = (chunk: Buffer): void => {
      decoded += chunk.length;
      if (decoded > limit) finish(bodyTooLarge(limit));
      else chunks.push(chunk);
    };
    const aborted = (): void =>
      finish(new ApiError('parameter_invalid', 'The request body could not be read', 'body'));

    req.on('data', onWire);
    // Only an incomplete body is lost with its connection; a complete one may still be decoding.
    const cutOff = (): void => {
      if (!req.complete) aborted();
    };
    req.once('error', aborted);
    req.once('close', cutOff);
    // node:http forgets a request once it has been answered (a request timeout answers while the body is
    // still coming): the request then never closes, but its connection does.
    socket.once('close', cutOff);
    if (decoder) {
      decoder.on('data', onDecoded);
      decoder.once('error', () =>
        finish(new ApiError('parameter_invalid', 'The request body could not be decoded', 'body')),
      );
      decoder.once('end', () => finish(undefined, Buffer.concat(chunks, decoded)));
      req.pipe(decoder);
    } else {
      req.once('end', () => finish(undefined, Buffer.concat(chunks, received)));
    }
  });
}
