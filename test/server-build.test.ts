/**
 * The compiled server (scripts/build-server.mjs → build/src): bin/p88.js runs it when it is
 * fresh and the TypeScript sources otherwise, and the compiled files run the same commands,
 * finding package.json and the migrations from the repository's root.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIsFresh, buildServer, defaultOutDir } from '../scripts/build-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratchBuild = path.join(root, `build-test-${process.pid}`);
const scratch: string[] = [];

afterAll(async () => {
  await rm(scratchBuild, { recursive: true, force: true });
  await Promise.all(scratch.map((d) => rm(d, { recursive: true, force: true })));
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; imports: string[] }> {
  return new Promise((resolve, reject) => {
    void mkdtemp(path.join(tmpdir(), 'p88-build-')).then((dir) => {
      scratch.push(dir);
      const importsFile = path.join(dir, 'imports.txt');
      const child = spawn(process.execPath, ['--import', path.join(root, 'test', 'helpers', 'record-imports.mjs'), ...args], {
        cwd: dir,
        env: { ...process.env, ...env, P88_IMPORTS_FILE: importsFile, DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', DATABASE_URL: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        void readFile(importsFile, 'utf8')
          .catch(() => '')
          .then((text) => resolve({ code, stdout, stderr, imports: text.split('\n').filter(Boolean).map((u) => u.replace(`file://${root}/`, '')) }));
      });
    }, reject);
  });
}

describe('the compiled server', () => {
  it('builds every source, and is stale once a source is newer than the build', async () => {
    expect(await buildServer(scratchBuild)).toBe(true);
    expect(buildIsFresh(scratchBuild)).toBe(true);
    const stamp = JSON.parse(await readFile(path.join(scratchBuild, 'stamp.json'), 'utf8')) as { sources: number };
    expect(stamp.sources).toBeGreaterThan(100);
    // A build older than the sources (here: its stamp dated 1970) is never run.
    await utimes(path.join(scratchBuild, 'stamp.json'), 0, 0);
    expect(buildIsFresh(scratchBuild)).toBe(false);
  });

  it('runs a command that reads the migrations and package.json from the root', async () => {
    await buildServer(scratchBuild);
    const ran = await run(['--input-type=module', '-e', `const { runCli } = await import(${JSON.stringify(path.join(scratchBuild, 'src', 'cli.js'))}); process.exitCode = await runCli(['migrate']);`]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.imports).toContain(`build-test-${process.pid}/src/db/migrate.js`);
    expect(ran.imports.some((u) => u.startsWith('src/'))).toBe(false);
  });

  it('bin/p88.js runs build/ when it is fresh, and the sources through tsx when asked or stale', async () => {
    if (!buildIsFresh()) await buildServer(defaultOutDir);
    const compiled = await run([path.join(root, 'bin', 'p88.js'), '--version']);
    expect(compiled.code).toBe(0);
    expect(compiled.imports).toContain('build/src/cli.js');
    expect(compiled.imports.some((u) => u.includes('node_modules/tsx/'))).toBe(false);

    const sources = await run([path.join(root, 'bin', 'p88.js'), '--version'], { P88_RUN_SOURCES: '1' });
    expect(sources.code).toBe(0);
    expect(sources.stdout).toBe(compiled.stdout);
    expect(sources.imports).toContain('src/cli.ts');
    expect(sources.imports.some((u) => u.startsWith('build/'))).toBe(false);
  });
});
