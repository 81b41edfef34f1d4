import { type ArgumentsHost, Catch, type ExceptionFilter, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/**
 * Terminus reports a failed check by throwing `ServiceUnavailableException(result)`. Probes and operators
 * read that result, so it goes out as is with 503, not as the API's `error.list` (which would say 500).
 * Scoped to HealthController: the global ApiExceptionFilter still handles anything else thrown there.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    void host.switchToHttp().getResponse<FastifyReply>().code(503).send(exception.getResponse());
  }
}
