/**
 * The p88 command line as a user meets it: help that touches nothing, one-line usage errors
 * with exit 2, results on stdout and logs on stderr, `--json` that parses as one document.
 * Most checks run the real commander program in this process (fast); a few run
 * `node bin/p88.js` as a child process in an empty directory and check that nothing appeared.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitForHealthy } from '../test/helpers/collector.js';
import { TEST_SECRET_KEY } from '../test/helpers/config.js';
import { createServerDatabase, serverUrl } from '../test/helpers/db.js';
import { freePort } from '../test/helpers/tcp-proxy.js';
import { buildProgram, runCli } from './cli.js';
import { version } from './version.js';
import { captureOutput as capture } from '../test/helpers/cli.js';

/** Every command's words after "p88", groups included ("partner", "partner create"). */
function commandPaths(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

const EXPECTED_COMMANDS = [
  'start', 'collector', 'web', 'worker', 'migrate', 'archive', 'citus-plan', 'backup', 'restore', 'status', 'source', 'source create', 'partner', 'partner create',
  'user', 'user create', 'user unlock', 'secrets', 'secrets rotate', 'simulate', 'demo', 'results', 'results import', 'warehouse', 'warehouse seed',
  'token', 'token create', 'token list', 'token revoke', 'sync', 'sync run', 'sync history', 'sync push',
  'provider', 'provider add', 'provider list', 'provider test', 'provider remove',
];

describe('p88 in this process', () => {
  // Were an action to run, it would stop at the configuration instead of opening a database.
  beforeAll(() => void vi.stubEnv('PORT', 'eighty'));
  afterAll(() => void vi.unstubAllEnvs());

  const paths = commandPaths(buildProgram({ io: capture(), exitCode: 0 }));

  it('has the documented commands', () => {
    expect(paths.map((p) => p.join(' ')).sort()).toEqual([...EXPECTED_COMMANDS].sort());
  });

  it.each(paths.map((p) => [p.join(' '), p]))('`p88 %s --help` prints its own usage and exits 0', async (_name, words) => {
    const io = capture();
    expect(await runCli([...words, '--help'], { io })).toBe(0);
    expect(io.stdout).toMatch(new RegExp(`^Usage: p88 ${words.join(' ')} \\[options\\]`));
    expect(io.stdout).toContain('--help');
    expect(io.stderr).toBe('');
  });

  it('describes each command with its own options', async () => {
    const help = async (...words: string[]) => {
      const io = capture();
      await runCli([...words, '--help'], { io });
      return io.stdout;
    };
    expect(await help('start')).toMatch(/--demo +also seed the demo partner/);
    expect(await help('demo')).toMatch(/--runners <n> +runners in the demo roster \(default: 60\)/);
    expect(await help('demo')).toMatch(/--json +print the result as one JSON document/);
    expect(await help('archive')).toMatch(/--days <n>/);
    expect(await help('source', 'create')).toMatch(/--partner <slug> +the partner whose reads these are \(default: "local"\)/);
    expect(await help('user', 'create')).toMatch(/--role <role>[\s\S]+\(choices: "platform_admin", "owner", "admin",\s+"staff", "viewer"\)/);
    expect(await help('partner')).toMatch(/Commands:\n +create \[options\] +create a timing partner/);
  });

  it('prints the overview on --help (exit 0), and on no command as a usage error (exit 2)', async () => {
    const help = capture();
    expect(await runCli(['--help'], { io: help })).toBe(0);
    for (const name of ['start', 'simulate', 'demo', 'partner', 'user', 'source']) expect(help.stdout).toMatch(new RegExp(`\\n  ${name} `));
    const bare = capture();
    expect(await runCli([], { io: bare })).toBe(2);
    expect(bare.stdout).toBe('');
    expect(bare.stderr).toMatch(/^Usage: p88 \[options\] \[command\]/);
    const group = capture();
    expect(await runCli(['user'], { io: group })).toBe(2);
    expect(group.stderr).toMatch(/^Usage: p88 user \[options\] \[command\]/);
  });

  it('prints the version', async () => {
    const io = capture();
    expect(await runCli(['--version'], { io })).toBe(0);
    expect(io.stdout).toBe(`${version}\n`);
  });

  it.each([
    [['strat'], /^p88: unknown command 'strat' \(Did you mean start\?\) \(see p88 --help\)\n$/],
    [['migrate', '--bogus'], /^p88 migrate: unknown option '--bogus' \(see p88 migrate --help\)\n$/],
    [['migrate', 'now'], /^p88 migrate: too many arguments for 'migrate'\. Expected 0 arguments but got 1\. \(see p88 migrate --help\)\n$/],
    [['worker', '--demo'], /^p88 worker: unknown option '--demo' \(see p88 worker --help\)\n$/],
    [['partner', 'create', '--slug', 'acme'], /^p88 partner create: required option '--name <name>' not specified \(see p88 partner create --help\)\n$/],
    [['source', 'create'], /^p88 source create: required option '--name <name>' not specified/],
    [['partner', 'remove'], /^p88 partner: unknown command 'remove'/],
    [['archive', '--days', '-3'], /^p88 archive: option '--days <n>' argument '-3' is invalid\. must be a whole number from 0 to 100000\./],
    [['demo', '--runners', '0'], /^p88 demo: option '--runners <n>' argument '0' is invalid\. must be a whole number from 1 to 10000\./],
    [['demo', '--runners'], /^p88 demo: option '--runners <n>' argument missing/],
  ])('%j is a one-line usage error with exit 2', async (args, message) => {
    const io = capture();
    expect(await runCli(args, { io })).toBe(2);
    expect(io.stderr).toMatch(message);
    expect(io.stderr.split('\n')).toHaveLength(2); // one line and its newline
    expect(io.stdout).toBe('');
  });
});

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = path.join(root, 'bin', 'p88.js');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The runner's environment without its p88 variables, plus the test's. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL', 'PORT']) delete env[name];
  return Object.assign(env, extra);
}

/** `node bin/p88.js …` in cwd, to its end; `recordImports` lists the modules it loads in that file. */
function p88(args: string[], opts: { cwd: string; env?: Record<string, string>; recordImports?: string }): Promise<Ran> {
  const env = childEnv(opts.env);
  const node: string[] = [];
  if (opts.recordImports) {
    node.push('--import', path.join(root, 'test', 'helpers', 'record-imports.mjs'));
    env.P88_IMPORTS_FILE = opts.recordImports;
    env.P88_RUN_SOURCES = '1'; // the test names source files; a fresh build/ would load build/src/*.js
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...node, bin, ...args], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The repository's modules and packages a process loaded, as paths from the repository root. */
async function loaded(file: string): Promise<string[]> {
  const urls = (await readFile(file, 'utf8')).trim().split('\n');
  const rootUrl = pathToFileURL(root).href;
  return [...new Set(urls.filter((u) => u.startsWith(rootUrl)).map((u) => u.slice(rootUrl.length).replace(/\?.*$/, '')))];
}

describe('node bin/p88.js in an empty directory', () => {
  let cwd: string;
  let scratch: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'p88-cli-'));
    scratch = await mkdtemp(path.join(tmpdir(), 'p88-cli-imports-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
    await rm(scratch, { recursive: true, force: true });
  });

  it('answers --help without opening a database, reading the configuration or creating anything', async () => {
    // A configuration that cannot load: help must not need it.
    const env = { PORT: 'eighty' };
    const helps = [['partner', 'create'], ['user', 'create'], ['migrate'], ['worker'], ['start'], ['demo']];
    const imports = path.join(scratch, 'help.txt');
    const runs = await Promise.all(helps.map((words, i) => p88([...words, '--help'], { cwd, env, recordImports: i === 0 ? imports : undefined })));
    runs.forEach((r, i) => {
      expect(r.code, helps[i]!.join(' ')).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: p88 ${helps[i]!.join(' ')} \\[options\\]`));
      expect(r.stderr).toBe('');
    });
    expect(await readdir(cwd)).toEqual([]);
    // Only the command line's own light modules: no runtime, database, zod or web stack.
    const modules = await loaded(imports);
    expect(modules).toContain('src/commands/accounts.command.ts');
    const heavy = modules.filter(
      (m) => !/^(bin\/p88\.js|scripts\/build-server\.mjs|src\/project-root\.ts|src\/cli\.ts|src\/version\.ts|src\/commands\/(\w+\.command|context)\.ts|src\/shared\/\w[\w-]*\.ts|node_modules\/(commander|tsx|esbuild)\/.*)$/.test(m),
    );
    expect(heavy).toEqual([]);
  });

  it('refuses bad usage with one line and exit 2, a bad configuration with 78, and creates nothing', async () => {
    const [bare, unknown, missing, config] = await Promise.all([
      p88([], { cwd }),
      p88(['partner', 'create', '--slug', 'acme', '--name', 'Acme', '--bogus'], { cwd }),
      p88(['user', 'create', '--partner', 'acme', '--role', 'owner'], { cwd }),
      p88(['migrate'], { cwd, env: { PORT: 'eighty' }, recordImports: path.join(scratch, 'migrate.txt') }),
    ]);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toMatch(/^Usage: p88 /);
    expect(unknown).toEqual({ code: 2, stdout: '', stderr: "p88 partner create: unknown option '--bogus' (see p88 partner create --help)\n" });
    expect(missing).toEqual({ code: 2, stdout: '', stderr: "p88 user create: required option '--email <email>' not specified (see p88 user create --help)\n" });
    expect(config).toMatchObject({ code: 78, stdout: '' });
    expect(config.stderr).toMatch(/^Invalid configuration:\n {2}PORT: /);
    expect(config.stderr).not.toMatch(/\bat .+:\d+:\d+/); // no stack trace
    // The recorder sees what a command that runs loads (so its silence about --help means something).
    expect(await loaded(path.join(scratch, 'migrate.txt'))).toEqual(expect.arrayContaining(['src/runtime.ts', 'src/config.ts', 'node_modules/zod/index.js']));
    expect(await readdir(cwd)).toEqual([]);
  });

  describe('with a database', () => {
    let env: Record<string, string>;
    let dropServer: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      env = { DATA_DIR: path.join(cwd, 'state') };
      if (serverUrl) {
        const server = await createServerDatabase(serverUrl);
        env.DATABASE_URL = server.url;
        env.SECRET_KEY = TEST_SECRET_KEY;
        dropServer = server.drop;
      }
    });
    afterAll(() => dropServer?.());

    // One child per test (on a loaded machine a PGlite start takes seconds); they run in order.
    it('`p88 demo --json` on a new database prints one JSON document and nothing else', async () => {
      // A new database: the migrations' and the startup's log lines must not reach stdout.
      const demo = await p88(['demo', '--json', '--runners', '5'], { cwd, env });
      expect(demo).toMatchObject({ code: 0, stderr: '' });
      const info = JSON.parse(demo.stdout) as { partner: string; roster: { participants: number }; simulate: string };
      expect(info).toMatchObject({ partner: 'demo', roster: { participants: 5 } });
      expect(info.simulate).toMatch(/^npm run p88 -- simulate /);
    });

    it('`p88 partner create --json --verbose` keeps stdout one document and logs to stderr', async () => {
      const partner = await p88(['partner', 'create', '--slug', 'acme', '--name', 'Acme Timing', '--json', '--verbose'], { cwd, env });
      expect(partner.code).toBe(0);
      expect(JSON.parse(partner.stdout)).toEqual({ id: expect.any(Number), slug: 'acme', name: 'Acme Timing' });
      const logged = partner.stderr.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(logged.map((l) => l.msg)).toContain('database ready');
    });

    it('`p88 source create --json` prints one document, logs nothing at the default level, and leaves no ./data', async () => {
      const source = await p88(['source', 'create', '--name', 'Finish laptop', '--partner', 'acme', '--json'], { cwd, env });
      expect(source).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(source.stdout)).toMatchObject({ partner: 'acme', name: 'Finish laptop', userId: expect.stringMatching(/^src-/), secret: expect.any(String) });
      // DATA_DIR (the embedded database and its key; a server deployment's key is SECRET_KEY), and no ./data
      expect(await readdir(cwd)).toEqual(serverUrl ? [] : ['state']);
    });

    it('`p88 secrets rotate` re-seals the stored secrets under the new SECRET_KEY, once, and refuses a bad key file', async () => {
      // The old key: the one the server processes share, or the embedded database's own file.
      const oldKeyFile = path.join(scratch, 'old.key');
      await writeFile(oldKeyFile, env.SECRET_KEY ?? (await readFile(path.join(cwd, 'state', 'secret.key'), 'utf8')));
      const rotateEnv = { ...env, SECRET_KEY: randomBytes(32).toString('hex') };
      const first = await p88(['secrets', 'rotate', '--old-key-file', oldKeyFile], { cwd, env: rotateEnv });
      expect(first).toMatchObject({ code: 0, stderr: '' });
      // The demo's source and the one made above.
      expect(first.stdout).toMatch(/^re-sealed 2 secret\(s\) under the new key \(0 were already\)/);
      const again = await p88(['secrets', 'rotate', '--old-key-file', oldKeyFile, '--json'], { cwd, env: rotateEnv });
      expect(JSON.parse(again.stdout)).toEqual({ resealed: 0, alreadyUnderNewKey: 2, unreadable: [] });
      await writeFile(oldKeyFile, 'not a key\n');
      const bad = await p88(['secrets', 'rotate', '--old-key-file', oldKeyFile], { cwd, env: rotateEnv });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^p88 secrets rotate: .*old\.key does not hold a 32-byte key/);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('keeps a service logging JSON lines to stdout, as journald expects, until SIGTERM', async () => {
      const statusPort = await freePort();
      const serviceEnv = { ...env, LOG_LEVEL: 'info', COLLECTOR_HOST: '127.0.0.1', COLLECTOR_PORT: '0', COLLECTOR_STATUS_PORT: String(statusPort) };
      const child = spawn(process.execPath, [bin, 'collector'], { cwd, env: childEnv(serviceEnv), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await waitForHealthy(statusPort);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['database ready', 'CTP01 collector listening', 'shutting down', 'collector stopped']));
    });
  });
});
