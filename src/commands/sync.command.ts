/** Provider sync from the command line: pull one provider event into the results warehouse now. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { SyncRunOptions } from './sync.js';

export function registerSyncCommands(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('provider sync')
    .command('run')
    .description('pull one provider event (races, participants, results) into the results warehouse now; prints progress, exits 1 on failure')
    .requiredOption('--partner <slug>', 'the partner whose connection it is')
    .requiredOption('--connection <id>', 'the provider connection id (GET /api/providers)')
    .requiredOption('--event <id>', 'the provider’s event id')
    .option('--timeout <seconds>', 'give up waiting after this long (the job stays queued)', '900')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SyncRunOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./sync.js')).syncRunCommand(opts, ctx.io)));
}
