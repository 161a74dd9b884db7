#!/usr/bin/env node
// The p88 command. Source is TypeScript run through tsx's loader, so there is no build step
// between a checkout and a running collector.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
