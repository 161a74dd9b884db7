/**
 * Provider connections from the command line: add, list, test, remove (implementations in
 * provider.ts). Kept light (help must not load the providers, zod or the database): the
 * options are written out here, and src/commands/sync.test.ts checks they are exactly
 * PROVIDER_DEFINITIONS' fields (provider-fields.ts credentialOptions).
 */
import type { Command } from 'commander';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import type { ProviderCliOptions } from './provider-fields.js';

export const PROVIDER_NAMES = ['runsignup', 'ctlive', 'raceroster', 'ultrasignup', 'active', 'eventbrite', 'copernico', 'haku'] as const;

/** Every provider's credential fields as options, with the providers that take each. */
export const CREDENTIAL_FLAGS: ReadonlyArray<{ name: string; flags: string; description: string }> = [
  { name: 'apiKey', flags: '--api-key <value>', description: 'API key (secret: never printed) — runsignup, active, copernico' },
  { name: 'apiSecret', flags: '--api-secret <value>', description: 'API secret (secret: never printed) — runsignup' },
  { name: 'clientId', flags: '--client-id <value>', description: 'API client id — ctlive, raceroster' },
  { name: 'userId', flags: '--user-id <value>', description: 'User id (login) — ctlive' },
  { name: 'password', flags: '--password <value>', description: 'Password (secret: never printed) — ctlive, raceroster' },
  { name: 'clientSecret', flags: '--client-secret <value>', description: 'OAuth client secret (secret: never printed) — raceroster' },
  { name: 'username', flags: '--username <value>', description: 'User name — raceroster' },
  { name: 'accountToken', flags: '--account-token <value>', description: 'ACTIVEWorks account token (secret: never printed) — active' },
  { name: 'organizationGuid', flags: '--organization-guid <value>', description: 'Organization GUID — active' },
  { name: 'token', flags: '--token <value>', description: 'Private token (secret: never printed) — eventbrite, haku' },
  { name: 'bibQuestion', flags: '--bib-question <value>', description: 'Bib question (text or id) — eventbrite' },
  { name: 'login', flags: '--login <value>', description: 'Login (preset owner) — copernico' },
  { name: 'raceSlugs', flags: '--race-slugs <a,b,…>', description: 'Race slugs — copernico' },
  { name: 'participantsPreset', flags: '--participants-preset <value>', description: 'Entrants preset — copernico' },
  { name: 'resultsPreset', flags: '--results-preset <value>', description: 'Results preset — copernico' },
  { name: 'organizationId', flags: '--organization-id <value>', description: 'Organization id — haku' },
];

export function registerProviderCommands(program: Command, ctx: CliContext): void {
  const provider = program.command('provider').description('registration and results provider connections (credentials sealed, secrets never printed)');
  const add = provider
    .command('add')
    .description('connect a provider for a partner with its credential fields; secrets are sealed with the platform key and never printed')
    .requiredOption('--partner <slug>', 'the partner')
    .requiredOption('--provider <name>', `the provider (${PROVIDER_NAMES.join(', ')})`)
    .option('--test', 'test the connection after adding it (one cheap call)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE);
  for (const o of CREDENTIAL_FLAGS) add.option(o.flags, o.description);
  add.addHelpText('after', '\nEach provider takes the fields naming it above (ultrasignup: none). Options on a command line are seen by other local\nusers and kept in shell history: clear it, or connect on the Providers screen.\n');
  add.action((opts: ProviderCliOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./provider.js')).providerAddCommand(opts, ctx.io)));

  provider
    .command('list')
    .description("a partner's provider connections: id, provider, non-secret fields, last test")
    .requiredOption('--partner <slug>', 'the partner')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: ProviderCliOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./provider.js')).providerListCommand(opts, ctx.io)));

  provider
    .command('test')
    .description('test a connection with one cheap call and say what failed (refused credentials, unknown race, provider down); exits 1 on failure')
    .requiredOption('--partner <slug>', 'the partner')
    .option('--provider <name>', 'the provider connection to test')
    .option('--connection <id>', 'the connection id (instead of --provider)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: ProviderCliOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./provider.js')).providerTestCommand(opts, ctx.io)));

  provider
    .command('remove')
    .description('remove a connection (its sealed credentials and cursors; synced rows stay)')
    .requiredOption('--partner <slug>', 'the partner')
    .option('--provider <name>', 'the provider connection to remove')
    .option('--connection <id>', 'the connection id (instead of --provider)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE)
    .action((opts: ProviderCliOptions, cmd: Command) => run(ctx, cmd, async () => (await import('./provider.js')).providerRemoveCommand(opts, ctx.io)));
}
