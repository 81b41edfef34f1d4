import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy, type VerifyFunctions } from 'passport-http-bearer';
import type { AppRequest, Principal } from '../common/http/request-context';
import { clientAddress } from './failed-auth-limiter';
import { normalizeAuthorization } from './token-hash';
import { TokensService } from './tokens.service';

/** What passport's types call a request (Express's); the service's are Fastify's (request-context.ts). */
type PassportRequest = Parameters<Strategy<VerifyFunctions>['authenticate']>[0];

/** All of the request the strategy sees: the normalised Authorization header and the peer address. */
type PeerAndHeader = { headers: { authorization: string | undefined }; peer: string };

@Injectable()
export class BearerStrategy extends PassportStrategy(Strategy, 'bearer') {
  constructor(private readonly tokens: TokensService) {
    // The request reaches validate() for its peer address (the failed-auth limit's key).
    super({ passReqToCallback: true });
  }

  /**
   * passport-http-bearer also reads `access_token` from the query string and the body; Intercom's API does
   * not, and a token in a URL ends up in logs. So the strategy only ever sees the Authorization header
   * (BEHAVIOUR.md §5), with legacy Basic credentials turned into their Bearer form.
   */
  override authenticate(req: PassportRequest, options?: object): void {
    const request = req as unknown as AppRequest;
    const headerOnly: PeerAndHeader = {
      headers: { authorization: normalizeAuthorization(request.headers.authorization) },
      peer: clientAddress(request.socket?.remoteAddress),
    };
    super.authenticate(headerOnly as unknown as PassportRequest, options);
  }

  async validate(req: PeerAndHeader, token: string): Promise<Principal | false> {
    return (await this.tokens.authenticate(token, req.peer)) ?? false;
  }
}
