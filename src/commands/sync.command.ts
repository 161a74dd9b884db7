/** Provider sync from the command line: pull one provider event into the results warehouse now. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { SyncHistoryOptions, SyncPushOptions, SyncRunOptions } from './sync.js';

export function registerSyncCommands(program: Command, ctx: CliContext): void {
  const sync = program.command('sync').description('provider sync');
  sync
    .command('history')
    .description("a partner's sync runs, newest first: status, mode, counts (new, updated, unchanged, failed, removed, kept hand edits), errors and notices")
    .requiredOption('--partner <slug>', 'the partner')
    .option('--provider <name>', 'one provider only')
    .option('--event <id>', 'one provider event only')
    .option('--limit <n>', 'runs to show', '20')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SyncHistoryOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./sync.js')).syncHistoryCommand(opts, ctx.io)));
  sync
    .command('push')
    .description('push a warehouse event’s results to the provider’s race now (RunSignUp full-results, ChronoTrack Live); exits 1 on failure')
    .requiredOption('--partner <slug>', 'the partner whose connection it is')
    .option('--provider <name>', 'the provider (the partner’s connection for it)')
    .option('--connection <id>', 'the provider connection id instead (p88 provider list)')
    .requiredOption('--event <id>', 'the provider’s event id (RunSignUp race id, CTLive event id)')
    .requiredOption('--race <id>', 'the provider’s race the results go to (RunSignUp event id, CTLive race id)')
    .requiredOption('--warehouse-event <id>', 'the results event whose results are sent')
    .option('--result-set <id>', 'RunSignUp: the result set to fill')
    .option('--timeout <seconds>', 'give up waiting after this long (the job stays queued)', '900')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SyncPushOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./sync.js')).syncPushCommand(opts, ctx.io)));
  sync
    .command('run')
    .description('pull one provider event (races, participants, results) into the results warehouse now; prints progress, exits 1 on failure')
    .requiredOption('--partner <slug>', 'the partner whose connection it is')
    .option('--provider <name>', 'the provider (the partner’s connection for it)')
    .option('--connection <id>', 'the provider connection id instead (p88 provider list)')
    .requiredOption('--event <id>', 'the provider’s event id')
    .option('--full', 'a full pull even when an incremental one is possible (removals are only seen by a full pull)')
    .option('--roster <id>', 'also feed this roster event with the participants (a display can use it)')
    .option('--timeout <seconds>', 'give up waiting after this long (the job stays queued)', '900')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SyncRunOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./sync.js')).syncRunCommand(opts, ctx.io)));
}
