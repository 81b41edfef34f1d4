import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import type { DataSource } from 'typeorm';
import { TokensService, UnknownWorkspaceError } from '../auth/tokens.service';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { prepareDatabase } from '../database/prepare-database';
import { StartupError } from '../database/startup-error';
import { ENTITIES } from '../entities';
import { ImportService } from '../import/import.service';
import { terminalProgress } from '../import/import-progress';
import { ImportError, parseSnapshot } from '../import/snapshot-checker';
import { TICKET_TOPICS } from '../tickets/notification-topics';
import {
  checkTopicsForVersion,
  checkUrl,
  parseSubscriptionVersion,
  parseTopics,
  WebhookInputError,
} from '../webhooks/subscription-input';
import { WebhookSubscriptionsService } from '../webhooks/webhook-subscriptions.service';

/** A problem with the command's input: printed on stderr, exit code 1, nothing written. */
class UsageError extends Error {}

/** Runs `work` against the same database as the server (DATABASE_URL, or the shared embedded one). */
async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await prepareDatabase(config, () => undefined);
  const dataSource = createDataSource(database.url, ENTITIES, 2);
  try {
    await dataSource.initialize();
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function buildProgram(out: (text: string) => void): Command {
  const program = new Command('cli')
    .description(
      'Intercom tickets service: import workspace snapshots, manage access tokens and webhook subscriptions',
    )
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: out, writeErr: (text) => process.stderr.write(text) });

  program
    .command('import')
    .description(
      'load a workspace snapshot (JSON, OPERATING.md format; an example: examples/workspace.json); prints a one-line JSON summary',
    )
    .argument('<file>', 'path to the snapshot file, or - to read standard input')
    .addHelpText(
      'after',
      `
Example:
  npm run --silent cli -- import examples/workspace.json
  cat snapshot.json | npm run --silent cli -- import -

Progress is shown on stderr when it is a terminal; stdout holds only the summary.`,
    )
    .action(async (file: string) => {
      const progress = terminalProgress(process.stderr);
      try {
        const fromStdin = file === '-';
        const source = fromStdin ? 'standard input' : file;
        progress.report({ step: 'reading', done: 0, total: 0 });
        const text = await (fromStdin ? readStandardInput() : readFile(file, 'utf8')).catch(
          (error: NodeJS.ErrnoException) => {
            throw new UsageError(
              `${source}: cannot read ${fromStdin ? 'it' : 'file'} (${error.code ?? error.message})`,
            );
          },
        );
        progress.report({ step: 'validating', done: 0, total: 0 });
        // A broken file is refused before any database is opened (or an embedded one started).
        const snapshot = parseSnapshot(text, source);
        const summary = await withDatabase((dataSource) =>
          new ImportService(dataSource).import(snapshot, progress.report),
        );
        progress.finish();
        out(`${JSON.stringify(summary)}\n`);
      } finally {
        progress.finish();
      }
    });

  const token = program.command('token').description('create or revoke access tokens');
  token
    .command('create')
    .description('print a new access token for a workspace, and nothing else')
    .requiredOption('--workspace <id>', 'the workspace the token belongs to')
    .option('--name <name>', 'a label for the token', '')
    .action(async (options: { workspace: string; name: string }) => {
      const created = await withDatabase((dataSource) =>
        new TokensService(dataSource).create(options.workspace, options.name),
      );
      out(`${created}\n`);
    });
  token
    .command('revoke')
    .description('revoke a token; later requests with it get 401')
    .argument('<token>', 'the token to revoke')
    .action(async (value: string) => {
      const revoked = await withDatabase((dataSource) => new TokensService(dataSource).revoke(value));
      if (!revoked) throw new UsageError('token not found or already revoked');
      process.stderr.write('token revoked\n');
    });

  addWebhookCommands(program, out);
  return program;
}

const WEBHOOK_TOPIC_LIST = TICKET_TOPICS.join(', ');

/** OPERATING.md's `webhook` commands (README "Webhooks"). */
function addWebhookCommands(program: Command, out: (text: string) => void): void {
  const webhook = program
    .command('webhook')
    .description('ticket notifications: subscriptions, their deliveries, redelivery');
  const service = <T>(work: (subscriptions: WebhookSubscriptionsService) => Promise<T>) =>
    withDatabase((dataSource) => work(new WebhookSubscriptionsService(dataSource)));

  webhook
    .command('create')
    .description('subscribe a URL to ticket topics; prints {"id", "secret"} (the secret is shown only now)')
    .requiredOption('--workspace <id>', 'the workspace whose tickets it is notified of')
    .requiredOption('--url <url>', 'the receiver: an http:// or https:// URL')
    .requiredOption('--topics <topics>', `comma-separated topics (${WEBHOOK_TOPIC_LIST})`)
    .option('--version <version>', "the API version of the notified ticket (default: the workspace's)")
    .addHelpText(
      'after',
      `
Example:
  npm run --silent cli -- webhook create --workspace ecahpwf5 --url https://example.com/hooks \\
    --topics ticket.state.updated,ticket.admin.assigned --version 2.14`,
    )
    .action(async (options: { workspace: string; url: string; topics: string; version?: string }) => {
      // Everything that needs no database is checked before one is opened (or an embedded one started).
      const url = checkUrl(options.url, loadConfig().webhookAllowPrivateUrls);
      const topics = parseTopics(options.topics);
      if (options.version !== undefined) {
        checkTopicsForVersion(topics, parseSubscriptionVersion(options.version, '--version'));
      }
      const created = await service((subscriptions) =>
        subscriptions.create(options.workspace, url, topics, options.version),
      );
      out(`${JSON.stringify(created)}\n`);
    });

  webhook
    .command('list')
    .description(
      "the workspace's subscriptions with their delivery counts, one JSON line each (never the secret)",
    )
    .requiredOption('--workspace <id>', 'the workspace')
    .action(async (options: { workspace: string }) => {
      const listed = await service((subscriptions) => subscriptions.list(options.workspace));
      for (const subscription of listed) out(`${JSON.stringify(subscription)}\n`);
    });

  webhook
    .command('delete')
    .description('remove a subscription and its notifications (pending ones are not sent)')
    .argument('<id>', 'the subscription id (webhook list)')
    .action(async (id: string) => {
      const deleted = await service((subscriptions) => subscriptions.delete(id));
      process.stderr.write(
        `subscription ${id} deleted` +
          (deleted.dropped > 0 ? ` (${deleted.dropped} pending notification(s) will not be sent)` : '') +
          '\n',
      );
    });

  webhook
    .command('deliveries')
    .description("the workspace's notifications and their attempts, in commit order, one JSON line each")
    .requiredOption('--workspace <id>', 'the workspace')
    .option('--failed', 'only the failed ones (given up, or their subscription disabled): webhook redeliver')
    .action(async (options: { workspace: string; failed?: boolean }) => {
      await service(async (subscriptions) => {
        for await (const delivery of subscriptions.deliveries(options.workspace, options.failed === true)) {
          out(`${JSON.stringify(delivery)}\n`);
        }
      });
    });

  webhook
    .command('redeliver')
    .description('queue a failed notification again: due now, the same id, its attempts counted on')
    .argument('<notification-id>', 'the notification id (notif_…, from webhook deliveries)')
    .action(async (notificationId: string) => {
      const queued = await service((subscriptions) => subscriptions.redeliver(notificationId));
      process.stderr.write(
        `notification ${notificationId} queued again (attempt ${queued.attempts + 1} is next)\n`,
      );
    });
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram((text) => process.stdout.write(text)).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ImportError) {
      process.stderr.write(`import failed, nothing was written:\n  ${error.problems.join('\n  ')}\n`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      error instanceof WebhookInputError ||
      error instanceof UnknownWorkspaceError ||
      error instanceof ConfigError ||
      error instanceof StartupError
    ) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (require.main === module) {
  // Exit once stdout has taken everything: a pipe's writes may still be queued (a long `webhook deliveries`).
  void runCli(process.argv.slice(2)).then((code) => process.stdout.write('', () => process.exit(code)));
}
