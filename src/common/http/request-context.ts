import type { Request } from 'express';
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

/** The express request as this service decorates it on the way in. */
export type AppRequest = Request & {
  requestId?: string;
  user?: Principal;
  apiVersion?: ApiVersion;
  rawBody?: Buffer;
};
