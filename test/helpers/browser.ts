/**
 * Browser tests drive Debian's Chromium (`apt-get install -y chromium`) through playwright-core;
 * no test downloads a browser. Without Chromium the browser suites are skipped with a loud
 * message, or fail when P88_REQUIRE_BROWSER=1 (CI), so a missing browser is never silent there.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.P88_CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a root user on a machine with a closed network: without the background-networking
 * ones Chromium keeps trying to reach Google's hosts at every start.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const missingMessage = () =>
  `Chromium not found at ${CHROMIUM_PATH}. Browser tests need Debian's Chromium: ` +
  `run \`apt-get update && apt-get install -y chromium\` (or set P88_CHROMIUM_PATH).`;

/**
 * Whether to register the browser suites. False (with a banner on the console) only when Chromium
 * is missing and not required; when it is required the suites run and fail in launchBrowser().
 */
export function browserTestsEnabled(): boolean {
  if (existsSync(CHROMIUM_PATH) || process.env.P88_REQUIRE_BROWSER === '1') return true;
  const line = '!'.repeat(100);
  console.warn(`\n${line}\n!! SKIPPING BROWSER TESTS: ${missingMessage()}\n!! Set P88_REQUIRE_BROWSER=1 to make this a failure.\n${line}\n`);
  return false;
}

/**
 * Starts headless Chromium. Playwright gives every launch a fresh, empty --user-data-dir of its
 * own (and deletes it on close); it refuses the flag in `args`.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`P88_REQUIRE_BROWSER=1 but ${missingMessage()}`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}
