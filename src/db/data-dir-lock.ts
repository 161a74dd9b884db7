/**
 * One process at a time on an embedded (PGlite) data directory. PGlite is a single-process
 * database: a second process opening the same files writes beside the first, and its writes
 * are lost (or the directory is left unopenable after a crash). Opening takes `<dir>.lock`
 * (created exclusively, with the holder's pid, command and start time); a lock whose process
 * is gone (kill -9, a power cut) is stale and taken over; a live holder is named in the error.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockHolder {
  pid: number;
  command: string;
  since: string;
  host: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by process ${holder.pid} (p88 ${holder.command || '?'}, since ${holder.since}). ` +
        'Only one process may open it at a time. Stop that process first (Ctrl-C in its terminal, or `kill ' +
        `${holder.pid}\`) and run this command again, or make the change through the running server (the dashboard or the API). ` +
        'With DATABASE_URL (a PostgreSQL server) commands can run beside a running server.',
    );
    this.name = 'DataDirLockedError';
  }
}

/** The lock files this process holds (released on exit, however it exits short of a kill). */
const held = new Set<string>();
let exitHook = false;

export function lockFileOf(dataDir: string): string {
  return `${dataDir.replace(/[/\\]+$/, '')}.lock`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? ''), since: String(parsed.since ?? ''), host: String(parsed.host ?? '') } : null;
  } catch {
    return null; // half-written or unreadable: its writer died while writing it
  }
}

/** Takes the data directory's lock; returns its release. Throws DataDirLockedError when a live process holds it. */
export function lockDataDir(dataDir: string): () => void {
  const file = lockFileOf(dataDir);
  if (held.has(file)) throw new Error(`${dataDir} is already open in this process`);
  const me: LockHolder = { pid: process.pid, command: process.argv.slice(2).join(' ').slice(0, 200), since: new Date().toISOString(), host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw err;
      const holder = readHolder(file);
      // Our own pid in a lock we do not hold: a previous life of this pid (a container restarted as pid 1).
      const otherHost = holder !== null && holder.host !== '' && holder.host !== me.host;
      if (holder && holder.pid !== process.pid && (otherHost || alive(holder.pid))) throw new DataDirLockedError(dataDir, holder);
      try {
        unlinkSync(file); // stale: its process is gone
      } catch {
        // another process took it over first; try again
      }
    }
  }
  held.add(file);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of held) release(f);
    });
  }
  return () => {
    if (held.delete(file)) release(file);
  };
}

function release(file: string): void {
  const holder = readHolder(file);
  if (holder && holder.pid !== process.pid) return; // not ours any more
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
