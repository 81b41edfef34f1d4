import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { enableGracefulShutdown } from './common/http/graceful-shutdown';
import { urlOf } from './common/http/http-adapter';
import { ConfigError, loadConfig } from './config/config';
import { seedDemoWorkspace } from './demo/demo-seed';
import { prepareDatabase } from './database/prepare-database';

async function bootstrap(): Promise<void> {
  const logger = new Logger('Bootstrap');
  const config = loadConfig();
  const database = await prepareDatabase(config, (line) => logger.log(line));
  const demo =
    database.embedded && config.demoData ? await seedDemoWorkspace(database.url, config.dataDir) : null;
  const app = await createApp({ ...config, databaseUrl: database.url });
  await app.listen(config.port, config.host);
  enableGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs, afterClose: database.stop });
  // What was bound, not what was asked for: PORT=0 picks a port, and 0.0.0.0 means every interface.
  const address = (app.getHttpServer() as Server).address() as AddressInfo;
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  logger.log(`listening on ${urlOf(address)}${everywhere ? ' (every interface)' : ''}`);
  if (demo) process.stdout.write(demo.banner(address.port));
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
