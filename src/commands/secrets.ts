import { readFile } from 'node:fs/promises';
import { SecretBox } from '../accounts/secret-box.js';
import { rotateSecrets } from '../accounts/secret-rotation.js';
import { decodeKey, loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { UsageError, type Output } from './context.js';

export interface SecretsRotateOptions {
  oldKeyFile: string;
  json?: boolean;
  verbose?: boolean;
}

export async function secretsRotateCommand(opts: SecretsRotateOptions, io: Output): Promise<number> {
  // The new key must be SECRET_KEY itself: a key the command made up would be known to no process.
  const newKey = loadConfig().secretKey;
  if (!newKey) throw new UsageError('set SECRET_KEY to the new key (e.g. `openssl rand -hex 32`) before rotating');
  const oldKey = decodeKey((await readFile(opts.oldKeyFile, 'utf8')).trim());
  if (!oldKey) throw new UsageError(`${opts.oldKeyFile} does not hold a 32-byte key (64 hex characters or base64)`);
  if (oldKey.equals(newKey)) throw new UsageError('the old key is the same as SECRET_KEY: nothing to rotate');

  const runtime = await openRuntime({ command: opts });
  try {
    const report = await rotateSecrets(runtime.db, new SecretBox(oldKey), new SecretBox(newKey));
    if (opts.json) io.out(`${JSON.stringify(report)}\n`);
    if (report.unreadable.length > 0) {
      const which = report.unreadable.map((s) => `${s.table} ${s.id}`).join(', ');
      io.err(`p88: nothing changed: ${report.unreadable.length} secret(s) open with neither key (${which})\n`);
      return 1;
    }
    if (!opts.json) {
      io.out(
        `re-sealed ${report.resealed} secret(s) under the new key (${report.alreadyUnderNewKey} were already).\n` +
          'Now give every process the new SECRET_KEY and restart them; keep the old key until they run.\n',
      );
    }
    return 0;
  } finally {
    await runtime.close();
  }
}
