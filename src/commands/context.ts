/**
 * What every command definition (`*.command.ts`) shares: where output goes, the exit status an
 * action leaves, and small helpers for options. Loaded by `p88 --help`, so it imports nothing
 * but commander and types.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Accounts } from '../accounts/accounts.service.js';

/** Where a command writes: its answer (stdout) and its complaints and logs (stderr). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

export interface CliContext {
  io: Output;
  /** What the action that ran resolved to: the process's exit status. */
  exitCode: number;
  /** Tests run account commands over their own service instead of opening the runtime. */
  accounts?: Accounts;
}

/** Bad input commander cannot see (options that only make sense together): exit 2, one line. */
export class UsageError extends Error {}

/**
 * Runs an action's implementation (lazy-imported by the caller, so `--help` loads none of it)
 * and keeps its exit status; a UsageError becomes the command's one-line error.
 */
export async function run(ctx: CliContext, cmd: Command, impl: () => Promise<number>): Promise<void> {
  try {
    ctx.exitCode = await impl();
  } catch (err) {
    if (err instanceof UsageError) cmd.error(err.message, { exitCode: 2, code: 'p88.usage' });
    throw err;
  }
}

export const VERBOSE = 'log progress to stderr (default: warnings and errors only; LOG_LEVEL sets the level)';
export const JSON_OUTPUT = 'print the result as one JSON document';

/** An option parser for whole numbers in [min, max]; anything else is commander's usage error. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min || n > max) throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}.`);
    return n;
  };
}
