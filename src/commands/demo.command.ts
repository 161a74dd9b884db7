/** The newcomer's first minute: a demo partner with everything a race screen needs. */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, wholeNumber, type CliContext } from './context.js';
import type { DemoCommandOptions } from './demo.js';

export function registerDemoCommand(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('seed the demo partner (roster, template, display link) and print its URLs and credentials; p88 start --demo does it as it starts')
    .option('--runners <n>', 'runners in the demo roster', wholeNumber(1, 10_000), 60)
    .option('--first-bib <n>', 'first bib of the roster', wholeNumber(0, 100_000_000), 1000)
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: DemoCommandOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./demo.js')).demoCommand(opts, ctx.io)));
}
