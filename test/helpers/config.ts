/** Configuration for tests: like production defaults, but files go to a temporary directory. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

/** A key made for this run: processes a test starts on a server database share it, as deployments must. */
export const TEST_SECRET_KEY = randomBytes(32).toString('hex');

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'p88-test-')), LOG_LEVEL: 'silent', ...env });
}
