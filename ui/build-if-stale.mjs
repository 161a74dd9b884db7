#!/usr/bin/env node
// Builds ui/dist when it is missing or older than its sources, so that `npm start` (prestart)
// and the browser tests build the dashboard once and then start at once. `npm run build`
// always builds. Without vite (an install that omitted dev dependencies) it only says so, and
// the web process serves a "UI not built" page; a build error does fail, loudly.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiDir = dirname(fileURLToPath(import.meta.url));
const builtIndex = join(uiDir, 'dist', 'index.html');
const sources = [
  ...['src', 'public', 'index.html', 'display.html', 'vite.config.ts'].map((name) => join(uiDir, name)),
  // Modules the server shares with the UI (src/shared: import-free, checked by its own tsconfig).
  join(uiDir, '..', 'src', 'shared'),
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs; // a deleted file changes its directory's mtime
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

const builtAt = existsSync(builtIndex) ? statSync(builtIndex).mtimeMs : -1;
if (builtAt >= Math.max(...sources.map(newestMtime))) {
  console.log('ui: dist is up to date');
  process.exit(0);
}

let vite;
try {
  vite = await import('vite');
} catch {
  console.warn(
    builtAt >= 0
      ? 'ui: sources changed but vite is not installed; serving the existing ui/dist'
      : 'ui: not built and vite is not installed (run `npm install`, then `npm run build`)',
  );
  process.exit(0);
}
console.log('ui: building ui/dist…');
await vite.build({ root: uiDir, logLevel: 'warn' });
console.log('ui: built');
