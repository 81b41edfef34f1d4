import 'reflect-metadata';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import type { DataSource } from 'typeorm';
import { TokensService, UnknownWorkspaceError } from '../auth/tokens.service';
import { ConfigError, loadConfig } from '../config/config';
import { createDataSource } from '../database/data-source';
import { prepareDatabase } from '../database/prepare-database';
import { StartupError } from '../database/startup-error';
import { ImportError, ImportService } from '../import/import.service';

/** A problem with the command's input: printed on stderr, exit code 1, nothing written. */
class UsageError extends Error {}

/** Runs `work` against the same database as the server (DATABASE_URL, or the shared embedded one). */
async function withDatabase<T>(work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await prepareDatabase(config, () => undefined);
  const dataSource = createDataSource(database.url, 2);
  try {
    await dataSource.initialize();
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

export function buildProgram(out: (text: string) => void): Command {
  const program = new Command('cli')
    .description('Intercom tickets service: import workspace snapshots and manage access tokens')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeOut: out, writeErr: (text) => process.stderr.write(text) });

  program
    .command('import')
    .description('load a workspace snapshot (JSON, OPERATING.md format); prints a one-line JSON summary')
    .argument('<file>', 'path to the snapshot file')
    .action(async (file: string) => {
      const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`${file}: cannot read file (${error.code ?? error.message})`);
      });
      const summary = await withDatabase(async (dataSource) => {
        const importer = new ImportService(dataSource);
        return importer.import(importer.parse(text, file));
      });
      out(`${JSON.stringify(summary)}\n`);
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
  return program;
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
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
