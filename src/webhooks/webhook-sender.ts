import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, PrivateAddressError, publicOnlyLookup } from './private-address';
import { hostOf } from './subscription-input';

/** BEHAVIOUR.md §7: the whole exchange (connect, send, the answer) within 5 s. */
export const ATTEMPT_TIMEOUT_MS = 5_000;

/** Of the receiver's answer only this much is read (a snippet for the operator); then the socket is dropped. */
const RESPONSE_LIMIT_BYTES = 4 * 1024;

/** What an attempt came to: the receiver's status (and a 429's Retry-After), or no answer and why. */
export type AttemptResult =
  | { kind: 'answered'; status: number; retryAfter?: string; snippet: string }
  | { kind: 'failed'; code: string };

export type SendOptions = {
  /** WEBHOOK_ALLOW_PRIVATE_URLS: false refuses, before connecting, every address isPrivateAddress names. */
  allowPrivate: boolean;
  userAgent: string;
  timeoutMs?: number;
};

/**
 * One POST of a notification. Never follows a redirect (a 3xx is an answer like any other, hence a failed
 * attempt); reads at most RESPONSE_LIMIT_BYTES of the answer and drops the connection; a fresh connection per
 * attempt (no agent), so the address checked by the lookup is the one this request uses. Never throws.
 */
export function sendNotification(
  target: string,
  body: Buffer,
  headers: Record<string, string>,
  options: SendOptions,
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      return resolve({ kind: 'failed', code: 'EINVALIDURL' });
    }
    const host = hostOf(url);
    if (!options.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
      // node:net does not look a literal address up, so the lookup below would never see it.
      return resolve({ kind: 'failed', code: new PrivateAddressError(host).code });
    }
    let settled = false;
    const finish = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : null;
    if (!send) return resolve({ kind: 'failed', code: 'EPROTOCOL' });
    const req = send(url, {
      method: 'POST',
      agent: false,
      headers: {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'User-Agent': options.userAgent,
        Connection: 'close',
      },
      ...(options.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    });
    // An answer whose body is still arriving when the time is up counts with what was read.
    let answered: (() => void) | undefined;
    const timer = setTimeout(
      () => (answered ? answered() : finish({ kind: 'failed', code: 'ETIMEDOUT' })),
      options.timeoutMs ?? ATTEMPT_TIMEOUT_MS,
    );
    req.once('error', (error: NodeJS.ErrnoException) => {
      if (answered) answered();
      else finish({ kind: 'failed', code: error.code ?? 'ERROR' });
    });
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () =>
        finish({
          kind: 'answered',
          status: res.statusCode ?? 0,
          retryAfter: headerValue(res.headers['retry-after']),
          snippet: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_LIMIT_BYTES),
        });
      answered = done;
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        read += chunk.length;
        if (read >= RESPONSE_LIMIT_BYTES) done();
      });
      res.once('end', done);
      // The receiver closed the connection mid-answer: its status still counts.
      res.once('aborted', done);
      res.once('error', done);
    });
    req.end(body);
  });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
