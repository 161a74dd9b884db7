/**
 * The HTTP client of the benches, run as its own process so that the load it makes does not
 * share an event loop with the server it measures. Reads one job as JSON on stdin (url,
 * headers, connections, seconds, warmSeconds), drives it with autocannon (keep-alive, one
 * request in flight per connection) and prints one JSON line: requests per second, p50/p99
 * latency in ms, and how many answers were errors or not 2xx. The job comes on stdin, not
 * the command line, so a bearer token never shows in a process list. Before the measured run
 * (after the warm-up) it prints `{"phase":"measuring"}`, so the caller can start its own
 * counters (CPU of the server and of PostgreSQL's backends) for the same window; the result
 * carries this process's own CPU time during the measured run (cpuMs, user + system).
 *
 *   echo '{"url":"http://127.0.0.1:7400/health","connections":8,"seconds":5}' | node --import tsx bench/http-load.ts
 */
import autocannon from 'autocannon';

interface Job {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  warmSeconds?: number;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time of this client process over the measured run (ms, user + system). */
  cpuMs: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function run(job: Job, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url: job.url, headers: job.headers ?? {}, connections: job.connections, duration: seconds });
}

const job = JSON.parse(await readStdin()) as Job;
if ((job.warmSeconds ?? 1) > 0) await run(job, job.warmSeconds ?? 1);
process.stdout.write(`${JSON.stringify({ phase: 'measuring' })}\n`);
const cpu0 = process.cpuUsage();
const r = await run(job, job.seconds);
const cpu = process.cpuUsage(cpu0);
const out: LoadResult = {
  rps: r.requests.total / (r.duration || job.seconds),
  p50: r.latency.p50,
  p99: r.latency.p99,
  requests: r.requests.total,
  errors: r.errors + r.timeouts,
  non2xx: r.non2xx,
  cpuMs: (cpu.user + cpu.system) / 1000,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
