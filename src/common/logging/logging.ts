import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '../../config/config';
import type { AppRequest } from '../http/request-context';

/** Query parameters whose values never reach a log line. */
const SECRET_PARAMS = /([?&](?:access_token|token|api_key)=)[^&#]*/gi;

export function redactUrl(url: string | undefined): string | undefined {
  return url?.replace(SECRET_PARAMS, '$1[REDACTED]');
}

/**
 * One JSON line per request: id, workspace, route, status, duration. Request headers are not logged at all
 * beyond a safe allow-list, so neither `Authorization` nor a token in the URL can reach the logs.
 */
export function loggerParams(config: AppConfig, destination?: DestinationStream): Params {
  return {
    pinoHttp: [
      {
        level: config.logLevel,
        transport:
          config.logFormat === 'pretty' && !destination
            ? { target: 'pino-pretty', options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l' } }
            : undefined,
        genReqId: (req: IncomingMessage) => (req as AppRequest).requestId ?? '',
        customProps: (req: IncomingMessage) => {
          const appReq = req as AppRequest;
          return {
            workspace_id: appReq.user?.workspaceId,
            route: (appReq.route as { path?: string } | undefined)?.path,
          };
        },
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
          error || res.statusCode >= 500 ? 'error' : 'info',
        serializers: {
          req: (req: {
            id: string;
            method: string;
            url: string;
            headers: Record<string, string | undefined>;
          }) => ({
            id: req.id,
            method: req.method,
            url: redactUrl(req.url),
            intercom_version: req.headers['intercom-version'],
            user_agent: req.headers['user-agent'],
          }),
          res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        },
        redact: {
          paths: [
            'req.headers.authorization',
            'req.headers.cookie',
            'req.query.access_token',
            'req.body.access_token',
          ],
          censor: '[REDACTED]',
        },
      },
      destination,
    ].filter((part) => part !== undefined) as Params['pinoHttp'],
  };
}
