import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { enableGracefulShutdown } from './common/http/graceful-shutdown';
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
  await app.listen(config.port, '0.0.0.0');
  enableGracefulShutdown(app, { timeoutMs: config.shutdownTimeoutMs, afterClose: database.stop });
  logger.log(`listening on http://127.0.0.1:${config.port}`);
  if (demo) process.stdout.write(demo.banner(config.port));
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
