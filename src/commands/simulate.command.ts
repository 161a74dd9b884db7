/**
 * `p88 simulate`: replay a race against a collector as CTP01 clients. Commander reads the flags
 * as text; simulate.ts validates their values (zod) and runs. The time format is the server's
 * choice (its greeting), so there is no flag for it.
 */
import { Option, type Command } from 'commander';
import { JSON_OUTPUT, run, type CliContext } from './context.js';
import type { SimulateFlags } from './simulate.js';

/** An option whose default is shown in --help as written (commander would quote a string). */
const flag = (flags: string, description: string, byDefault?: string) => {
  const option = new Option(flags, description);
  return byDefault === undefined ? option : option.default(byDefault, byDefault);
};

export function registerSimulateCommand(program: Command, ctx: CliContext): void {
  program
    .command('simulate')
    .description('replay a race as CTP01 clients against a collector')
    .addOption(flag('--host <host>', 'collector host', '127.0.0.1'))
    .addOption(flag('--port <n>', 'collector port', '61611'))
    .addOption(flag('--clients <n>', 'concurrent controllers, each its own connection id', '1'))
    .addOption(flag('--runners <n>', 'runners per client; tag = bib', '100'))
    .addOption(flag('--first-bib <n>', 'first bib; client i continues after client i-1', '1000'))
    .addOption(flag('--locations <a,b,c>', 'location names (default start,5k,finish); distances from names: start=0, finish=--course-km, 5k/10km/3mi/800m as named, others in between'))
    .addOption(flag('--course <a:km,b:km>', 'locations with explicit distances instead of --locations'))
    .addOption(flag('--course-km <km>', 'course length for --locations', '10'))
    .addOption(flag('--naming <prefix|shared>', 'client 2+ names its locations c2-start… (prefix) or reuses the names (shared)', 'prefix'))
    .addOption(flag('--speed <n|max>', 'race seconds per wall second: 1 real time, 60, max as fast as possible', '1'))
    .addOption(flag('--user <id>', 'CTP01 user id, when the collector asks for authentication (p88 source create makes one)'))
    .addOption(flag('--password <secret>', 'the source secret that goes with --user'))
    .addOption(flag('--drop-every <n>', 'drop the link after every N lines, then reconnect (0 = never)', '0'))
    .addOption(flag('--drop-probability <p>', 'drop after any line with probability P', '0'))
    .addOption(flag('--drop-mode <graceful|abrupt>', 'FIN after flushing, or RST losing in-flight lines', 'graceful'))
    .addOption(flag('--reconnect-delay <s>', 'seconds before reconnecting', '1'))
    .addOption(flag('--ping-interval <s>', 'send our own ping every S seconds (0 = never)', '0'))
    .addOption(flag('--online-delay <loc=s,…>', 'a location comes online S seconds after the start'))
    .addOption(flag('--seed <n>', 'race and drop seed', '1'))
    .addOption(flag('--id-prefix <p>', 'connection ids are P-1, P-2…; a collector resumes a known id where it stopped, so a re-run of the same ids sends only what it does not hold yet', 'SIM'))
    .addOption(flag('--event-name <name>', 'event name for geteventinfo', 'Simulated race'))
    .addOption(flag('--event-id <id>', 'event id for geteventinfo', '1'))
    .addOption(flag('--date <YYYY-MM-DD|today>', 'event date', 'today'))
    .addOption(flag('--gun <HH:MM[:SS]|now>', 'gun time, local to --timezone', 'now'))
    .addOption(flag('--timezone <zone>', "IANA zone of the event's local times; match the collector's EVENT_TIMEZONE", 'UTC'))
    .addOption(flag('--settle <s>', 'stay connected S seconds after everything was sent', '1'))
    .addOption(flag('--timeout <s>', 'give up after S seconds (default: none)'))
    .option('--json', `${JSON_OUTPUT} (no progress lines)`)
    .addHelpText('after', '\nExit status: 0 all observations sent, 1 incomplete (timeout, authentication, interrupted), 2 bad flags.')
    .action((flags: SimulateFlags, cmd: Command) => run(ctx, cmd, async () => (await import('./simulate.js')).simulate(flags, ctx.io)));
}
