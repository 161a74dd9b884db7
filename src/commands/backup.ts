import { createBackup, defaultBackupDir, restoreBackup, RestoreRefused } from '../backup/backup.js';
import { loadConfig } from '../config.js';
import type { Output } from './context.js';

export interface BackupOptions {
  dir?: string;
  keepDaily: number;
  keepWeekly: number;
  json?: boolean;
  verbose?: boolean;
}

export async function backupCommand(opts: BackupOptions, io: Output): Promise<number> {
  const config = loadConfig();
  const result = await createBackup(config, opts.dir ?? defaultBackupDir(config), { daily: opts.keepDaily, weekly: opts.keepWeekly });
  const bytes = Object.values(result.manifest.files).reduce((a, b) => a + b, 0);
  io.out(
    opts.json
      ? `${JSON.stringify({ path: result.path, bytes, manifest: result.manifest, deleted: result.deleted })}\n`
      : `backed up to ${result.path} (${bytes} bytes)${result.deleted.length ? `; deleted ${result.deleted.length} old backup(s)` : ''}\n` +
          'SECRET_KEY is not in it: keep the key apart from the backups.\n',
  );
  return 0;
}

export interface RestoreOptions {
  force?: boolean;
  json?: boolean;
  verbose?: boolean;
}

export async function restoreCommand(backup: string, opts: RestoreOptions, io: Output): Promise<number> {
  const config = loadConfig();
  try {
    const manifest = await restoreBackup(config, backup, opts.force === true);
    io.out(opts.json ? `${JSON.stringify({ restored: backup, manifest })}\n` : `restored ${backup} (made ${manifest.created_at} by ${manifest.version})\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof RestoreRefused)) throw err;
    io.err(`p88: ${err.message}\n`);
    return 1;
  }
}
