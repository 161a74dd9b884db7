/** The results warehouse from the command line: CSV import, synthetic data; API tokens for scripts. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { ResultsImportOptions, TokenCreateOptions, TokenListOptions, TokenRevokeOptions, WarehouseSeedOptions } from './results.js';

export function registerResultsCommands(program: Command, ctx: CliContext): void {
  program
    .command('results')
    .description('the results warehouse')
    .command('import')
    .description('import a results CSV file for a partner (see the README for the columns)')
    .argument('<file>', 'the CSV file')
    .requiredOption('--partner <slug>', 'the partner whose results these are')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((file: string, opts: ResultsImportOptions, cmd: Command) =>
      run(ctx, cmd, async () => (await import('./results.js')).resultsImportCommand(file, opts, ctx.io)));

  program
    .command('warehouse')
    .description('the results warehouse: synthetic data')
    .command('seed')
    .description('generate realistic synthetic results (scale 1 ≈ 10.6M rows) in the database, reproducibly')
    .option('--scale <n>', 'fraction of the seed platform’s size (1 ≈ 12,882 events, 8.15M results)', '0.01')
    .option('--partners <n>', 'partners to spread the data over (created as warehouse-1…)', '3')
    .option('--seed <n>', 'random seed (same seed, same data)', '88')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: WarehouseSeedOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./results.js')).warehouseSeedCommand(opts, ctx.io)));

  const token = program.command('token').description('API tokens (the same as the dashboard’s)');
  token
    .command('create')
    .description('create an API token; prints it once')
    .requiredOption('--partner <slug>', 'the partner the token acts for')
    .requiredOption('--name <name>', 'what the token is for, e.g. "OpenWebUI"')
    .requiredOption('--scopes <list>', 'comma-separated scopes, e.g. results:read')
    .option('--expires-in-days <n>', 'expire after this many days (default: never)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: TokenCreateOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./results.js')).tokenCreateCommand(opts, ctx.io)));
  token
    .command('list')
    .description('list a partner’s API tokens (never their secrets)')
    .requiredOption('--partner <slug>', 'the partner')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: TokenListOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./results.js')).tokenListCommand(opts, ctx.io)));
  token
    .command('revoke')
    .description('revoke one of a partner’s API tokens')
    .requiredOption('--partner <slug>', 'the partner')
    .requiredOption('--id <id>', 'the token id (see token list)')
    .option('--verbose', VERBOSE)
    .action((opts: TokenRevokeOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./results.js')).tokenRevokeCommand(opts, ctx.io)));
}
