/** Provider connections from the command line: add, list, test, remove (implementations in provider.ts). */
import type { Command } from 'commander';
import { PROVIDER_DEFINITIONS, PROVIDERS } from '../providers/index.js';
import { JSON_OUTPUT, run, VERBOSE, type CliContext } from './context.js';
import { credentialOptions, type ProviderCliOptions } from './provider-fields.js';

export function registerProviderCommands(program: Command, ctx: CliContext): void {
  const provider = program.command('provider').description('registration and results provider connections (credentials sealed, secrets never printed)');
  const add = provider
    .command('add')
    .description('connect a provider for a partner with its credential fields; secrets are sealed with the platform key and never printed')
    .requiredOption('--partner <slug>', 'the partner')
    .requiredOption('--provider <name>', `the provider (${PROVIDERS.join(', ')})`)
    .option('--test', 'test the connection after adding it (one cheap call)')
    .option('--json', JSON_OUTPUT)
    .option('--verbose', VERBOSE);
  for (const o of credentialOptions()) add.option(o.flags, o.description);
  add.addHelpText('after', `\nFields per provider:\n${Object.values(PROVIDER_DEFINITIONS).map((d) => `  ${d.name}: ${d.fields.map((f) => `${f.name}${f.required ? '' : '?'}${f.secret ? ' (secret)' : ''}`).join(', ') || '(none)'}`).join('\n')}\n`);
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
