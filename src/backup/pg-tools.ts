/**
 * pg_dump and pg_restore, run as child processes. The connection goes in libpq's environment
 * variables, never on the command line, so the password is not in `ps` output.
 */
import { spawn } from 'node:child_process';

/** libpq's variables for a postgres:// URL. */
export function libpqEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const env: Record<string, string> = { PGDATABASE: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres' };
  if (u.hostname) env.PGHOST = decodeURIComponent(u.hostname.replace(/^\[|\]$/g, ''));
  if (u.port) env.PGPORT = u.port;
  if (u.username) env.PGUSER = decodeURIComponent(u.username);
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  for (const [key, value] of u.searchParams) {
    if (key === 'sslmode') env.PGSSLMODE = value;
    if (key === 'host') env.PGHOST = value; // a Unix socket directory
  }
  return env;
}

/** Runs a PostgreSQL client program; rejects with what it printed on stderr when it fails. */
export function runPgTool(program: 'pg_dump' | 'pg_restore', args: string[], url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: { ...process.env, ...libpqEnv(url) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`${program} is not installed (Debian: apt-get install postgresql-client)`) : err),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${program} failed (exit ${code}): ${stderr.trim()}`))));
  });
}
