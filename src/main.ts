import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { enableGracefulShutdown } from './common/http/graceful-shutdown';
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
  await app.listen(config.port, '0.0.0.0');
  enableGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs, afterClose: database.stop });
  logger.log(`listening on http://127.0.0.1:${config.port}`);
  if (demo) process.stdout.write(demo.banner(config.port));
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
