/** Backups of the database and the collector's spool, and restoring one. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, wholeNumber, type CliContext } from './context.js';
import type { BackupOptions, RestoreOptions } from './backup.js';

export function registerBackupCommands(program: Command, ctx: CliContext): void {
  program
    .command('backup')
    .description('back up the database, the spool and rejected reads into a folder named by the time; prune old backups')
    .option('--dir <path>', 'where backups go (default: DATA_DIR/backups; better another disk)')
    .option('--keep-daily <n>', 'keep the newest backup of each of the last N days', wholeNumber(1, 3650), 30)
    .option('--keep-weekly <n>', 'and of each of the N weeks before those', wholeNumber(0, 520), 0)
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: BackupOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./backup.js')).backupCommand(opts, ctx.io)));
  program
    .command('restore')
    .description('restore a backup folder into an empty database (and DATA_DIR), then apply newer migrations')
    .argument('<backup>', 'the backup folder, e.g. /var/backups/p88/p88-20261203T063000Z')
    .option('--force', 'replace a database (and spool) that already holds data')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((backup: string, opts: RestoreOptions, cmd: Command) =>
      run(ctx, cmd, async () => (await import('./backup.js')).restoreCommand(backup, opts, ctx.io)),
    );
}
