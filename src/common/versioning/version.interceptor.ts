import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Observable } from 'rxjs';
import { isPublicRoute } from '../http/public.decorator';
import { routeMetadata } from '../http/route-metadata';
import { ApiError } from '../errors/api-error';
import type { AppReply, AppRequest } from '../http/request-context';
import { MIN_VERSION_KEY } from './min-version.decorator';
import {
  type ApiVersion,
  compareVersions,
  DEFAULT_VERSION,
  parseVersion,
  VERSION_MESSAGES,
} from './versions';

export const VERSION_HEADER = 'Intercom-Version';

/**
 * Resolves `Intercom-Version` after authentication (BEHAVIOUR.md §4 order of checks): the header, else the
 * workspace's default; rejects unknown values and versions older than the route's minimum; records the
 * result on the request for the controller's context and echoes it in the response header.
 */
@Injectable()
export class VersionInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // Health probes are not Intercom routes: no version applies to them (/metrics has a listener of its own).
    if (isPublicRoute(this.reflector, context)) return next.handle();
    const req = context.switchToHttp().getRequest<AppRequest>();
    const reply = context.switchToHttp().getResponse<AppReply>();
    const header = req.headers['intercom-version'];
    const version = resolveVersion(
      Array.isArray(header) ? header.join(', ') : header,
      req.user?.defaultVersion ?? DEFAULT_VERSION,
    );
    reply.header(VERSION_HEADER, version);
    const minimum = routeMetadata<ApiVersion>(this.reflector, context, MIN_VERSION_KEY);
    if (minimum && compareVersions(version, minimum) < 0) {
      throw new ApiError('intercom_version_invalid', VERSION_MESSAGES.unavailable, VERSION_HEADER);
    }
    req.apiVersion = version;
    return next.handle();
  }
}

export function resolveVersion(header: string | undefined, workspaceDefault: ApiVersion): ApiVersion {
  if (header === undefined) return workspaceDefault;
  const version = parseVersion(header);
  if (!version) throw new ApiError('intercom_version_invalid', VERSION_MESSAGES.unknown, VERSION_HEADER);
  return version;
}
