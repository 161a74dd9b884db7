/** Accounts for scripts and first run: timing sources, partners, users (create, unlock). */
import { Option, type Command } from 'commander';
import { ROLES } from '../shared/permissions.js';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { PartnerCreateOptions, UserCreateOptions, UserUnlockOptions } from './accounts.js';
import type { SourceCreateOptions } from './admin.js';

export function registerAccountCommands(program: Command, ctx: CliContext): void {
  program
    .command('source')
    .description('CTP01 credentials for timing software')
    .command('create')
    .description('create a timing source; prints its user id and secret once')
    .requiredOption('--name <name>', 'what the source is, e.g. "Finish laptop"')
    .option('--partner <slug>', 'the partner whose reads these are', 'local')
    .option('--user <id>', 'the CTP01 user id to use (default: a generated one)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: SourceCreateOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./admin.js')).sourceCreateCommand(opts, ctx.io)));

  program
    .command('partner')
    .description('timing partners (tenants)')
    .command('create')
    .description('create a timing partner (14-day trial)')
    .requiredOption('--slug <slug>', 'lower-case letters, digits and dashes, e.g. acme')
    .requiredOption('--name <name>', 'display name, e.g. "Acme Timing"')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: PartnerCreateOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./accounts.js')).partnerCreateCommand(opts, ctx)));

  const user = program.command('user').description('users of partners and of the platform');
  user
    .command('create')
    .description('create a user; without --password, prints a generated one once')
    .requiredOption('--email <email>', 'sign-in address')
    .addOption(new Option('--partner <slug>', 'the partner the user belongs to').conflicts('platform'))
    .option('--platform', 'a platform user (belongs to no partner; role platform_admin)')
    .addOption(new Option('--role <role>', 'platform_admin with --platform, any other with --partner').choices(ROLES).makeOptionMandatory())
    .option('--name <name>', 'display name')
    .option('--password <password>', 'the password to set (default: generated and printed once)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: UserCreateOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./accounts.js')).userCreateCommand(opts, ctx)));
  user
    .command('unlock')
    .description('lift every sign-in throttle of an account (the way back in for a platform admin)')
    .requiredOption('--email <email>', 'sign-in address')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: UserUnlockOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./accounts.js')).userUnlockCommand(opts, ctx)));
}
