import { readFileSync } from 'node:fs';

/** The package version, reported in the CTP01 greeting and status APIs. */
export const version: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
