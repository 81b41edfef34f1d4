import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { enableGracefulShutdown } from './lifecycle/graceful-shutdown';
import { urlOf } from './common/http/http-adapter';
import { ConfigError, loadConfig } from './config/config';
import { seedDemoWorkspace } from './demo/demo-seed';
import { prepareDatabase } from './database/prepare-database';
import { StartupError } from './database/startup-error';

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
  const address = app.getHttpServer().address() as AddressInfo;
  const everywhere = address.address === '0.0.0.0' || address.address === '::';
  logger.log(`listening on ${urlOf(address)}${everywhere ? ' (every interface)' : ''}`);
  // The printed curl must work from this machine: loopback when every interface is bound, else the address.
  const reachable = everywhere ? urlOf({ ...address, address: '127.0.0.1', family: 'IPv4' }) : urlOf(address);
  if (demo) process.stdout.write(demo.banner(reachable));
}

bootstrap().catch((error: unknown) => {
  const listen = error as { code?: string; syscall?: string; port?: number; address?: string };
  if (error instanceof ConfigError || error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
  } else if (listen.code === 'EADDRINUSE' && listen.syscall === 'listen') {
    process.stderr.write(
      `PORT ${listen.port}: another program listens on ${listen.address}:${listen.port}; ` +
        'stop it or set PORT to a free port\n',
    );
  } else {
    process.stderr.write(
      `startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
