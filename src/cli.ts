/**
 * The p88 command line (commander). Each command group is declared in its own
 * `commands/*.command.ts`, registered here; a command's action lazy-imports its implementation,
 * so `p88 <command> --help` loads no database, reads no configuration and creates nothing.
 *
 * Exit status: 0 done, 1 failed, 2 usage (unknown option, missing argument, bad value),
 * 78 bad configuration (EX_CONFIG).
 */
import { Command, CommanderError } from 'commander';
import { registerAccountCommands } from './commands/accounts.command.js';
import { registerBackupCommands } from './commands/backup.command.js';
import { stdio, type CliContext } from './commands/context.js';
import { registerDatabaseCommands } from './commands/database.command.js';
import { registerDemoCommand } from './commands/demo.command.js';
import { registerResultsCommands } from './commands/results.command.js';
import { registerProviderCommands } from './commands/provider.command.js';
import { registerSyncCommands } from './commands/sync.command.js';
import { registerSecretsCommands } from './commands/secrets.command.js';
import { registerServiceCommands } from './commands/services.command.js';
import { registerSimulateCommand } from './commands/simulate.command.js';
import { version } from './version.js';

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('p88')
    .description('Project88Hub: CTP01 collector, web app, worker, and the tools around them.')
    .version(version)
    // Set before any subcommand exists: commander copies them into each one as it is made.
    .exitOverride()
    .configureOutput({ writeOut: (t) => ctx.io.out(t), writeErr: (t) => ctx.io.err(t) });

  registerServiceCommands(program, ctx);
  registerDatabaseCommands(program, ctx);
  registerBackupCommands(program, ctx);
  registerAccountCommands(program, ctx);
  registerSecretsCommands(program, ctx);
  registerSimulateCommand(program, ctx);
  registerDemoCommand(program, ctx);
  registerResultsCommands(program, ctx);
  registerProviderCommands(program, ctx);
  registerSyncCommands(program, ctx);

  forEachCommand(program, (cmd) => cmd.configureOutput({ outputError: (text, write) => write(oneLineError(cmd, text)) }));
  return program;
}

/** Runs p88 with the arguments after the program name; resolves to the exit status. */
export async function runCli(args: string[], seams: Partial<Omit<CliContext, 'exitCode'>> = {}): Promise<number> {
  const ctx: CliContext = { io: stdio, ...seams, exitCode: 0 };
  try {
    await buildProgram(ctx).parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "exit" 0; the help printed for a missing command is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    const { ConfigError } = await import('./config.js'); // zod: not loaded for --help
    if (err instanceof ConfigError) {
      ctx.io.err(`${err.message}\n`);
      return 78;
    }
    const { DataDirLockedError } = await import('./db/data-dir-lock.js');
    if (err instanceof DataDirLockedError) {
      ctx.io.err(`p88: ${err.message}\n`);
      return 75; // EX_TEMPFAIL: try again once the holder has stopped
    }
    ctx.io.err(`p88: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}

/** "p88 user create: required option '--email <email>' not specified (see p88 user create --help)" */
function oneLineError(cmd: Command, text: string): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  const path = names.join(' ');
  const message = text.trim().replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
  return `${path}: ${message} (see ${path} --help)\n`;
}

function forEachCommand(cmd: Command, fn: (cmd: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}
