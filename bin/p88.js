#!/usr/bin/env node
// The p88 command. Source is TypeScript run through tsx's loader, so there is no build step
// between a checkout and a running collector.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
const code = await runCli(process.argv.slice(2));
// A failed command may leave a connection open (a database that half opened): do not wait on it.
if (code === 0) process.exitCode = 0;
else process.exit(code);
