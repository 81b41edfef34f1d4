import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiVersion } from '../versioning/versions';

/** Who is calling: the workspace the bearer token belongs to. */
export type Principal = {
  workspaceId: string;
  tokenId: string;
  defaultVersion: ApiVersion;
  /** The workspace refuses updates without If-Match (428). */
  requireIfMatch: boolean;
};

/** Passed explicitly as the first argument from controller to service (shared/STYLE.md). */
export type RequestContext = {
  requestId: string;
  workspaceId: string;
  tokenId: string;
  version: ApiVersion;
  requireIfMatch: boolean;
};

/*
 * What the service records on a request, besides Fastify's own `id` (a UUID, the request id): the principal the
 * bearer guard found, the version the interceptor resolved, and the error code of an error answer, for the
 * request log line. app.factory.ts declares each with Fastify's decorateRequest (null until set), so every
 * request object has the same shape; this is the matching type declaration, the way Fastify types decorations.
 */
declare module 'fastify' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface FastifyRequest {
    user: Principal | null;
    apiVersion: ApiVersion | null;
    errorCode: string | null;
  }
}

/** The request as this service sees it; its body is the bytes as read (raw-body.ts), parsed by the service. */
export type AppRequest = FastifyRequest;

export type AppReply = FastifyReply;
