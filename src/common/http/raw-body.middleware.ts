import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import { raw, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/config';

/**
 * Reads the body as bytes, whatever its declared type: it is parsed by the service after authentication,
 * version and ticket lookup (BEHAVIOUR.md §4 order of checks). Only the size limit is enforced here (413).
 * A rejected promise, unlike body-parser's `next(err)`, reaches Nest's exception filter.
 */
@Injectable()
export class RawBodyMiddleware implements NestMiddleware {
  private readonly parse: RequestHandler;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.parse = raw({ type: () => true, limit: config.bodyLimitBytes });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      // body-parser passes http-errors instances (Error subclasses with `status` and `type`).
      void this.parse(req, res, (error?: unknown) => (error instanceof Error ? reject(error) : resolve()));
    });
    next();
  }
}
