/** Running `p88` in this process (runCli) with its output captured, for the commands' tests. */
import { runCli } from '../../src/cli.js';
import type { Output } from '../../src/commands/context.js';

export type CapturedOutput = Output & { stdout: string; stderr: string };

/** An Output that keeps what a command writes. */
export function captureOutput(): CapturedOutput {
  const o = { stdout: '', stderr: '', out: (t: string) => void (o.stdout += t), err: (t: string) => void (o.stderr += t) };
  return o;
}

/** `p88 <args>` in this process: its exit code and what it wrote. */
export async function p88InProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureOutput();
  const code = await runCli(args, { io });
  return { code, stdout: io.stdout, stderr: io.stderr };
}
