/** Database upkeep and the host's state: migrations, archival, the Citus plan, status. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, wholeNumber, type CliContext } from './context.js';
import type { ArchiveOptions } from './admin.js';
import type { StatusOptions } from './status.js';

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
  program
    .command('citus-plan')
    .description('check the schema is ready for Citus and print the statements that distribute it (exit 1 with the problems when not)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: { json?: boolean; verbose?: boolean }, cmd: Command) =>
      run(ctx, cmd, async () => (await import('./admin.js')).citusPlanCommand(opts, ctx.io)));
  program
    .command('status')
    .description("this host's services on one screen: collector, web, database (migrations, job queue), newest backup; exit 1 when any is not ok")
    .option('--backup-dir <path>', 'where backups are (default: DATA_DIR/backups)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: StatusOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./status.js')).statusCommand(opts, ctx.io)));
}
