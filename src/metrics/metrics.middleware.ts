import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { MetricsService } from './metrics.service';

/**
 * Times every request that reaches Express; the route label is the matched pattern (never the raw URL, to
 * bound cardinality), or `unmatched` for a request answered before or without a route (404, 413, 431, a
 * missing Host). Installed first (app.factory.ts), so those early answers are counted too.
 */
export function metricsMiddleware(metrics: MetricsService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path;
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observe(req.method, route ? `${req.baseUrl}${route}` : 'unmatched', res.statusCode, seconds);
    });
    next();
  };
}
