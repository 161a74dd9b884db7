#!/usr/bin/env node
// The p88 command. It runs the compiled server (build/src, made by `npm run build` or
// `npm start`) when that build is newer than every source, and otherwise the TypeScript
// sources through tsx's loader, so there is no required build step between a checkout and a
// running collector, and an edited source never runs stale.
import { buildIsFresh } from '../scripts/build-server.mjs';

let runCli;
if (process.env.P88_RUN_SOURCES !== '1' && buildIsFresh()) {
  ({ runCli } = await import('../build/src/cli.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/cli.ts'));
}
const code = await runCli(process.argv.slice(2));
// A failed command may leave a connection open (a database that half opened): do not wait on it.
if (code === 0) process.exitCode = 0;
else process.exit(code);
