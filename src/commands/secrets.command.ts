/** The platform's secret key: re-sealing every stored secret under a new one. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { SecretsRotateOptions } from './secrets.js';

export function registerSecretsCommands(program: Command, ctx: CliContext): void {
  program
    .command('secrets')
    .description('the key that seals stored secrets (SECRET_KEY)')
    .command('rotate')
    .description('re-seal every stored secret under SECRET_KEY (the new key); the old key is read once from a file')
    .requiredOption('--old-key-file <path>', 'a file holding the old key (64 hex characters or base64), e.g. the old DATA_DIR/secret.key')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SecretsRotateOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./secrets.js')).secretsRotateCommand(opts, ctx.io)));
}
