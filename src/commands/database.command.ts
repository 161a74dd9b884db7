/** Database upkeep: migrations and archival. */
import type { Command } from 'commander';
import { run, VERBOSE, wholeNumber, type CliContext } from './context.js';
import type { ArchiveOptions } from './admin.js';

export function registerDatabaseCommands(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description('apply pending database migrations (idempotent, safe from several processes at once)')
    .option('--verbose', VERBOSE)
    .action((opts: { verbose?: boolean }, cmd: Command) => run(ctx, cmd, async () => (await import('./admin.js')).migrateCommand(opts, ctx.io)));
  program
    .command('archive')
    .description('move reads older than --days to timing_reads_archive')
    .option('--days <n>', 'age in days of the reads to move (default: ARCHIVE_AFTER_DAYS)', wholeNumber(0, 100_000))
    .option('--verbose', VERBOSE)
    .action((opts: ArchiveOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./admin.js')).archiveCommand(opts, ctx.io)));
}
