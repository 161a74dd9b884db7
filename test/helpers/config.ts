/** Configuration for tests: like production defaults, but files go to a temporary directory. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: mkdtempSync(path.join(tmpdir(), 'p88-test-')), LOG_LEVEL: 'silent', ...env });
}
