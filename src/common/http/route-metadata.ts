import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/** Per class, per handler: what a key's metadata resolved to (handler first, then class). */
const CACHE = new WeakMap<object, WeakMap<object, Map<string, unknown>>>();

/**
 * `reflector.getAllAndOverride(key, [handler, class])`, resolved once per route and key: metadata is fixed when
 * the decorators run, and the guards and the interceptor ask on every request (README "Performance").
 */
export function routeMetadata<T>(
  reflector: Reflector,
  context: ExecutionContext,
  key: string,
): T | undefined {
  const handler = context.getHandler();
  const type = context.getClass();
  let byHandler = CACHE.get(type);
  if (!byHandler) CACHE.set(type, (byHandler = new WeakMap<object, Map<string, unknown>>()));
  let byKey = byHandler.get(handler);
  if (!byKey) byHandler.set(handler, (byKey = new Map<string, unknown>()));
  if (byKey.has(key)) return byKey.get(key) as T | undefined;
  const value = reflector.getAllAndOverride<T | undefined>(key, [handler, type]);
  byKey.set(key, value);
  return value;
}
