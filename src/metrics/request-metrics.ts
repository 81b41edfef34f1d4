import type { AppReply, AppRequest } from '../common/http/request-context';
import type { MetricsService } from './metrics.service';

/**
 * Times a request once its response is finished; the route label is the matched pattern (never the raw URL, to
 * bound cardinality), or `unmatched` for a request no route matched (404). Called from the first request hook
 * (app.factory.ts), so answers given by the hooks and the body reader (413, 431, a missing Host) and by
 * node:http's timeout through this response (408) are counted too.
 */
export function trackRequest(metrics: MetricsService): (req: AppRequest, reply: AppReply) => void {
  return (req, reply) => {
    const start = process.hrtime.bigint();
    reply.raw.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      metrics.observe(req.method, req.routeOptions.url ?? 'unmatched', reply.raw.statusCode, seconds);
    });
  };
}
