/**
 * `p88 …` as its own process (node bin/p88.js), as a user runs it: a long-running `p88 start`
 * that a test can kill -9 and start again on the same data directory, and one-shot commands
 * whose exit status and output are captured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForHealthy } from './collector.js';
import { freePort } from './tcp-proxy.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/p88.js', import.meta.url));

/** The environment of a child p88: the test's, without any database URL (embedded unless given). */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  delete base.DATABASE_URL;
  delete base.REDIS_URL;
  delete base.LOG_LEVEL;
  return { ...base, ...env };
}

/**
 * The environment of one `p88 start` of a test: its own data directory (the embedded
 * database), key and free ports, on loopback, with a collector that wants credentials.
 */
export async function embeddedEnv(prefix: string): Promise<Record<string, string>> {
  return {
    DATA_DIR: await mkdtemp(path.join(tmpdir(), `${prefix}-`)),
    SECRET_KEY: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    COLLECTOR_HOST: '127.0.0.1',
    PORT: String(await freePort()),
    COLLECTOR_PORT: String(await freePort()),
    COLLECTOR_STATUS_PORT: String(await freePort()),
    WORKER_STATUS_PORT: String(await freePort()),
    COLLECTOR_ALLOW_ANONYMOUS: 'false',
  };
}

/**
 * A partner and its owner, made with `p88 partner create` and `p88 user create` before the
 * server runs (the CLI owns the embedded data directory while nothing else does).
 */
export async function createOwner(
  env: Record<string, string>,
  owner: { slug: string; partnerName: string; email: string; name: string; password: string },
): Promise<void> {
  for (const args of [
    ['partner', 'create', '--slug', owner.slug, '--name', owner.partnerName],
    ['user', 'create', '--email', owner.email, '--name', owner.name, '--partner', owner.slug, '--role', 'owner', '--password', owner.password],
  ]) {
    const r = await runP88(args, env, 120_000);
    if (r.code !== 0) throw new Error(`p88 ${args.slice(0, 2).join(' ')} failed (${r.code}): ${r.stderr}`);
  }
}

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one p88 command to its end. */
export function runP88(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`p88 ${args.join(' ')} did not end within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface P88Server {
  child: ChildProcess;
  pid: number;
  output(): string;
  /** kill -9: no shutdown of any kind. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `p88 start` and resolves once its web app answers /health and its collector is up. */
export async function startP88(env: Record<string, string>, args: string[] = []): Promise<P88Server> {
  const child = spawn(process.execPath, [BIN, 'start', ...args], { cwd: REPO, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const gone = await Promise.race([
    exited.then((code) => `exited with ${code}`),
    (async () => {
      await waitForHealthy(Number(env.COLLECTOR_STATUS_PORT), 90_000);
      for (let i = 0; i < 900; i++) {
        try {
          if ((await fetch(`http://127.0.0.1:${env.PORT}/health`)).ok) return null;
        } catch {
          // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return 'web never answered';
    })(),
  ]);
  if (gone) throw new Error(`p88 start ${gone}: ${out}`);
  return {
    child,
    pid: child.pid!,
    output: () => out,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
