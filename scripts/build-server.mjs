#!/usr/bin/env node
// Compiles the server (src/**/*.ts, tests excepted) to build/src/**/*.js with esbuild, file by
// file (no bundling: the module graph and lazy imports stay as they are). bin/p88.js runs the
// compiled files when they are newer than every source, and the sources through tsx otherwise,
// so an edit never runs stale code. Why compile at all: tsx's loader hooks run in a second V8
// isolate of their own on Node 20 (a loader worker), about 37 MiB of RSS in every p88 process
// (measured: an empty script 39 MiB, with --import tsx 76 MiB), and each start transpiles.
//
//   node scripts/build-server.mjs             build
//   node scripts/build-server.mjs --if-stale  build only when a source is newer than the build
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
/** Where bin/p88.js looks for the build; a test may build elsewhere under the root (node_modules must resolve). */
export const defaultOutDir = join(root, 'build');
/** Written last: its mtime says when the build finished. */
const stampOf = (outDir) => join(outDir, 'stamp.json');

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');

function walk(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** The newest mtime among the sources and their folders (a deleted file changes its folder's). */
function newestSourceMtime() {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  const visit = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (isSource(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(srcDir);
  return newest;
}

/** True when build/ holds a complete build newer than every source. */
export function buildIsFresh(outDir = defaultOutDir) {
  const stamp = stampOf(outDir);
  if (!existsSync(stamp)) return false;
  return statSync(stamp).mtimeMs >= newestSourceMtime();
}

/**
 * Builds into a fresh folder beside outDir, then swaps it in: a p88 process starting meanwhile
 * sees the old build or the new one, never half of one.
 */
export async function buildServer(outDir = defaultOutDir) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.warn('server: esbuild is not installed; p88 runs the TypeScript sources through tsx');
    return false;
  }
  const next = `${outDir}.next-${process.pid}`;
  const old = `${outDir}.old-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  const entryPoints = walk(srcDir).filter((p) => isSource(p.slice(p.lastIndexOf('/') + 1)));
  await esbuild.build({
    entryPoints,
    outdir: join(next, 'src'),
    outbase: srcDir,
    bundle: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  writeFileSync(stampOf(next), JSON.stringify({ sources: entryPoints.length, builtAt: new Date().toISOString() }) + '\n');
  if (existsSync(outDir)) renameSync(outDir, old);
  renameSync(next, outDir);
  rmSync(old, { recursive: true, force: true });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--if-stale') && buildIsFresh()) {
    console.log('server: build is up to date');
  } else if (await buildServer()) {
    console.log('server: built build/src');
  }
}
