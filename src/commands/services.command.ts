/**
 * The long-running services. They log pino JSON lines to stdout at LOG_LEVEL (what journald and
 * container runtimes collect) and run until SIGINT or SIGTERM.
 */
import type { Command } from 'commander';
import { run, type CliContext } from './context.js';
import type { Service } from './serve.js';

export function registerServiceCommands(program: Command, ctx: CliContext): void {
  const serve = (services: Service[], opts: { demo?: boolean }, cmd: Command) =>
    run(ctx, cmd, async () => (await import('./serve.js')).serve(services, { demo: opts.demo === true }));

  program
    .command('start')
    .description('collector + web + worker in one process (embedded database unless DATABASE_URL)')
    .option('--demo', 'also seed the demo partner and print its display URL and credentials (see p88 demo)')
    .action((opts: { demo?: boolean }, cmd: Command) => serve(['collector', 'web', 'worker'], opts, cmd));
  program
    .command('collector')
    .description('the CTP01 collector (TCP $COLLECTOR_PORT, status HTTP $COLLECTOR_STATUS_PORT)')
    .action((_opts: object, cmd: Command) => serve(['collector'], {}, cmd));
  program
    .command('web')
    .description('the web app and API (HTTP $PORT)')
    .action((_opts: object, cmd: Command) => serve(['web'], {}, cmd));
  program
    .command('worker')
    .description('background jobs (daily archival)')
    .action((_opts: object, cmd: Command) => serve(['worker'], {}, cmd));
}
