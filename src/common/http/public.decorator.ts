import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { routeMetadata } from './route-metadata';

export const IS_PUBLIC_KEY = 'auth:public';

/** Marks a route that needs no token (health probes, metrics); no Intercom rule applies to it. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** Whether the route being served is @Public(): the one place guards and interceptors ask. */
export function isPublicRoute(reflector: Reflector, context: ExecutionContext): boolean {
  return routeMetadata<boolean>(reflector, context, IS_PUBLIC_KEY) === true;
}
