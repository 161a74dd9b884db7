import { readdirSync, readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const TEST_ROOTS = ['src', 'test'];

/**
 * The three tiers (`npm run test:unit`, `test:db`, `test:e2e`) are read off what a test file
 * uses, so a new test lands in the right tier without a list to keep: browser tests live in
 * test/e2e/; a file that opens a database (directly or through the test app, factories,
 * the collector under test or the web stack) is a database test; the rest are unit tests.
 */
const USES_DATABASE = /helpers\/(db|app|factories|web-stack|collector)\.js|openDatabase|openPglite/;

function tierOf(file: string): 'unit' | 'db' | 'e2e' {
  if (file.startsWith('test/e2e/')) return 'e2e';
  return USES_DATABASE.test(readFileSync(file, 'utf8')) ? 'db' : 'unit';
}

const files = TEST_ROOTS.flatMap((root) =>
  readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.test.ts'))
    .map((path) => `${root}/${path.replaceAll('\\', '/')}`),
).sort();
const tier = (name: 'unit' | 'db' | 'e2e') => files.filter((file) => tierOf(file) === name);

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests open real ports and databases; two cores do not gain from more forks.
    maxWorkers: 2,
    fileParallelism: true,
    projects: (['unit', 'db', 'e2e'] as const).map((name) => ({
      extends: true,
      test: { name, include: tier(name) },
    })),
  },
});
