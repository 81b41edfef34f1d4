import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ApiError, toErrorList } from '../common/errors/api-error';
import { ERROR_MESSAGES } from '../common/errors/error-messages';
import { urlOf } from '../common/http/http-adapter';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { MetricsService } from './metrics.service';

/**
 * The Prometheus scrape endpoint, `GET /metrics`, on a port of its own: it needs no token, so it must not
 * share the API's (public) port, the way exporters run beside the service they watch. Opened with the
 * application (app.init / listen) and closed with it (app.close, graceful shutdown).
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private readonly server: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.server = createServer((req, res) => {
      this.answer(req, res).catch((error: unknown) => {
        this.logger.error(`metrics scrape failed: ${error instanceof Error ? error.message : String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    // A scrape is one small GET; a slow or idle client has nothing to wait for.
    this.server.requestTimeout = 10_000;
    this.server.headersTimeout = 10_000;
  }

  /** The address it listens on (METRICS_PORT=0: the port the system chose). */
  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { metricsPort: port, metricsHost: host } = this.config;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          new Error(
            error.code === 'EADDRINUSE'
              ? `METRICS_PORT ${port} is already in use on ${host} (METRICS_PORT=0 picks a free port)`
              : `cannot listen for metrics on ${host}:${port}: ${error.code ?? error.message}`,
          ),
        ),
      );
      this.server.listen(port, host, () => resolve());
    });
    this.logger.log(`metrics on ${urlOf(this.address())}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // A scraper's kept-alive connection would hold close() open.
    this.server.closeAllConnections();
    await closed;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if ((req.method === 'GET' || req.method === 'HEAD') && path === '/metrics') {
      const text = await this.metrics.registry.metrics();
      res.writeHead(200, {
        'Content-Type': this.metrics.registry.contentType,
        'Content-Length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    const requestId = randomUUID();
    const body = JSON.stringify(
      toErrorList(new ApiError('not_found', ERROR_MESSAGES.routeNotFound), requestId),
    );
    res.writeHead(404, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'X-Request-Id': requestId,
    });
    res.end(body);
  }
}
