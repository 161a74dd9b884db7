/**
 * CPU time of processes on this machine, from /proc (Linux only): where a bench's cost goes
 * when the collector, PostgreSQL and the simulated clients share the same cores.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (getconf CLK_TCK: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU seconds a process has used so far; null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so split after its closing paren):
    // state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** The machine's CPU seconds by kind (all cores), from /proc/stat's first line. */
export function machineCpu(): { busy: number; idle: number; steal: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map((v) => Number(v) / TICKS_PER_SECOND);
  return { busy: user! + nice! + system! + irq! + softirq!, idle: idle! + iowait!, steal: steal! };
}

/**
 * Follows the PostgreSQL processes of one database (its client backends, and autovacuum
 * workers that visit it) and the server's shared background processes (WAL writer,
 * checkpointer, background writer), sampling while a phase runs: a backend that appears
 * meanwhile counts from zero, one that ends counts up to its last sample.
 */
export class PgCpuSampler {
  private readonly first = new Map<number, { cpu: number; group: 'database' | 'background' }>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  /** `client` must be connected to the database to follow; its own backend is left out. */
  constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  async start(intervalMs = 250): Promise<void> {
    await this.sample(true);
    this.timer = setInterval(() => {
      this.sampling = this.sampling.then(() => this.sample(false)).catch(() => {});
    }, intervalMs);
  }

  /** CPU seconds used since start() by the database's backends and by the shared background processes. */
  async stop(): Promise<{ database: number; background: number; backends: number }> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    let database = 0;
    let background = 0;
    let backends = 0;
    for (const [pid, { cpu, group }] of this.first) {
      const used = (this.last.get(pid) ?? cpu) - cpu;
      if (group === 'database') {
        database += used;
        backends++;
      } else background += used;
    }
    return { database, background, backends };
  }

  private async sample(initial: boolean): Promise<void> {
    const r = await this.client.query<{ pid: number; database: boolean }>(
      `SELECT pid, datname IS NOT DISTINCT FROM $1 AS database FROM pg_stat_activity
        WHERE pid <> pg_backend_pid()
          AND (datname = $1 OR backend_type IN ('walwriter', 'checkpointer', 'background writer'))`,
      [this.database],
    );
    for (const { pid, database } of r.rows) {
      const cpu = cpuSeconds(pid);
      if (cpu === null) continue;
      if (!this.first.has(pid)) this.first.set(pid, { cpu: initial ? cpu : 0, group: database ? 'database' : 'background' });
      this.last.set(pid, cpu);
    }
  }
}
