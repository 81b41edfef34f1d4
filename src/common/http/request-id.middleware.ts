import { randomUUID } from 'node:crypto';
import type { NextFunction, Response } from 'express';
import type { AppRequest } from './request-context';

/** Every response, errors included, carries the request's id (BEHAVIOUR.md §4). */
export function requestIdMiddleware(req: AppRequest, res: Response, next: NextFunction): void {
  const id = randomUUID();
  req.requestId = id;
  res.setHeader('X-Request-Id', id);
  next();
}
