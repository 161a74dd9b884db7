/**
 * The read API against hand-written SQL through `pg`, in the same run, on a seeded warehouse
 * (`p88 warehouse seed --scale N` first). For each typical query: requests per second and
 * p50/p99 latency of GET /api/db/… (real HTTP, keep-alive, a results:read token, C concurrent
 * connections, the client in a process of its own: bench/http-load.ts, autocannon) and of the
 * same question asked directly (the app role, the partner's RLS transaction, rows fetched and
 * turned into JSON in Node), and the ratio; and the engine alone (RestApi.read in process: no
 * HTTP, no token check, no API-call counting) to show where the time goes.
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/warehouse.ts [seconds per query=5] [C=8] [rounds=3]
 *
 * The three ways are measured in turn, `rounds` times over for each query (API, engine, pg,
 * API, …), so a change in the machine's load from other work falls on all three alike;
 * throughput is the mean of the rounds, p50/p99 the median of the rounds' values.
 * BENCH_PORT (default 7400) is the port the web app listens on.
 *
 * CPU per request, to see where a request's cost is on a machine whose cores the server, the
 * client and PostgreSQL share: this process (the web server in the API runs; the engine or
 * `pg` and its JSON in the others: process.cpuUsage), PostgreSQL's backends serving this
 * bench's pool (utime + stime from /proc/<pid>/stat of the pids pg_stat_activity lists under
 * the pool's application_name; PostgreSQL on this host only) and the HTTP client process (its
 * own process.cpuUsage), each over the measured window divided by the requests answered in it.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ApiTokens } from '../src/accounts/api-tokens.service.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/index.js';
import { APP_ROLE, asPlatform, queryAsPartnerReadOnly, withPartner } from '../src/db/tenant.js';
import { createLogger } from '../src/log.js';
import { RestApi } from '../src/rest/rest.service.js';
import { buildWebApp } from '../src/web/app.js';

const [seconds = 5, concurrency = 8, rounds = 3] = process.argv.slice(2).map(Number);
const config = loadConfig();
if (!config.DATABASE_URL) throw new Error('bench/warehouse needs DATABASE_URL (a seeded server database)');
// The app role's pool is named, so its backends can be found in pg_stat_activity (CPU per request).
const APP_NAME = `p88-bench-warehouse-${process.pid}`;
const appUrl = new URL(config.DATABASE_URL);
appUrl.searchParams.set('application_name', APP_NAME);
const owner = await openDatabase({ url: config.DATABASE_URL, max: 2 });
const named = await openDatabase({ url: appUrl.toString(), max: 1 });
const db = named.asRole(APP_ROLE, { max: concurrency + 4 });

// The partner with the most results, and questions about its data.
const pick = await asPlatform(owner, async (tx) => {
  const p = (await tx.query<{ partner_id: number }>(`SELECT partner_id FROM results_events GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0];
  if (!p) throw new Error('no warehouse data: run p88 warehouse seed first');
  const race = (await tx.query<{ race_id: number; event_id: number }>(
    `SELECT r.race_id, r.event_id FROM results r WHERE r.partner_id = $1 GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`, [p.partner_id])).rows[0]!;
  const person = (await tx.query<{ first_name: string; last_name: string }>(
    `SELECT first_name, last_name FROM entries WHERE partner_id = $1 AND race_id = $2 ORDER BY id LIMIT 1`, [p.partner_id, race.race_id])).rows[0]!;
  return { partnerId: p.partner_id, ...race, ...person };
});
const { secret } = await new ApiTokens(db).create(
  { userId: null, partnerId: pick.partnerId, role: 'owner', via: 'session', scopes: [], sessionId: null, tokenId: null },
  { name: 'bench/warehouse', scopes: ['results:read'] },
  { ip: null, userAgent: 'bench' },
);

const app = await buildWebApp({ db, logger: createLogger('silent'), config });
const port = Number(process.env.BENCH_PORT ?? 7400);
await app.listen({ host: '127.0.0.1', port });
const origin = `http://127.0.0.1:${port}`;
const base = `${origin}/api/db/`;

interface Query {
  name: string;
  path: string;
  headers?: Record<string, string>;
  sql: string;
  params: unknown[];
}

const enc = encodeURIComponent;
const QUERIES: Query[] = [
  {
    name: "a race's results by place (page of 50)",
    path: `ct_results?race_id=eq.${pick.race_id}&order=results_rank.asc.nullslast&limit=50&select=results_rank,results_bib,results_first_name,results_last_name,results_sex,results_age,results_time`,
    sql: `SELECT r.overall_place AS results_rank, e.bib AS results_bib, e.first_name AS results_first_name, e.last_name AS results_last_name, e.gender AS results_sex, e.age AS results_age, p88_ms_interval(r.chip_time_ms)::text AS results_time
            FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.race_id = $1 ORDER BY r.overall_place ASC NULLS LAST LIMIT 50`,
    params: [pick.race_id],
  },
  {
    name: 'a name search (first and last name)',
    path: `ct_results?results_last_name=eq.${enc(pick.last_name)}&results_first_name=eq.${enc(pick.first_name)}&limit=50&select=id,race_id,results_time`,
    sql: `SELECT r.id, r.race_id, p88_ms_interval(r.chip_time_ms)::text AS results_time FROM results r JOIN entries e ON e.id = r.entry_id WHERE e.last_name = $1 AND e.first_name = $2 LIMIT 50`,
    params: [pick.last_name, pick.first_name],
  },
  {
    name: "a runner's history across events (embedded)",
    path: `ct_participants?athlete_last_name=eq.${enc(pick.last_name)}&athlete_first_name=eq.${enc(pick.first_name)}&limit=50&select=entry_bib,ct_races(race_name,ct_events(event_name,event_date))`,
    sql: `SELECT e.bib AS entry_bib, json_build_object('race_name', ra.name, 'ct_events', json_build_object('event_name', ev.name, 'event_date', ev.start_date)) AS ct_races
            FROM entries e JOIN races ra ON ra.id = e.race_id JOIN results_events ev ON ev.id = e.event_id WHERE e.last_name = $1 AND e.first_name = $2 LIMIT 50`,
    params: [pick.last_name, pick.first_name],
  },
  {
    name: 'a name search with ilike over the whole partner (prefix)',
    path: `ct_results?results_last_name=ilike.${enc(pick.last_name.slice(0, 3))}*&limit=50&select=id,race_id,results_last_name,results_time`,
    sql: `SELECT r.id, r.race_id, e.last_name AS results_last_name, p88_ms_interval(r.chip_time_ms)::text AS results_time
            FROM results r JOIN entries e ON e.id = r.entry_id WHERE e.last_name ILIKE $1 LIMIT 50`,
    params: [`${pick.last_name.slice(0, 3)}%`],
  },
  {
    name: 'a count with filters (exact)',
    path: `ct_results?race_id=eq.${pick.race_id}&results_sex=eq.F&select=id&limit=1`,
    headers: { prefer: 'count=exact' },
    sql: `SELECT count(*)::int AS n FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.race_id = $1 AND e.gender = 'F'`,
    params: [pick.race_id],
  },
  {
    name: "an event's races with their top 10 (embedded)",
    path: `ct_races?event_id=eq.${pick.event_id}&select=race_name,ct_results(results_rank,results_bib,results_time)&ct_results.order=results_rank.asc.nullslast&ct_results.limit=10`,
    sql: `SELECT ra.name AS race_name, (SELECT json_agg(x) FROM (SELECT r.overall_place AS results_rank, e.bib AS results_bib, p88_ms_interval(r.chip_time_ms) AS results_time
                   FROM results r JOIN entries e ON e.id = r.entry_id WHERE r.race_id = ra.id ORDER BY r.overall_place ASC NULLS LAST LIMIT 10) x) AS ct_results
            FROM races ra WHERE ra.event_id = $1`,
    params: [pick.event_id],
  },
];

/** CPU per request (ms): this process, PostgreSQL's backends, the HTTP client (API runs only). */
interface Cpu {
  node: number;
  pg: number;
  client: number;
}

interface Measure {
  rps: number;
  p50: number;
  p99: number;
  cpu: Cpu;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU ms so far of each backend of this bench's pool (utime + stime of /proc/<pid>/stat). */
async function backendCpu(): Promise<Map<number, number>> {
  const pids = (await owner.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [APP_NAME])).rows;
  const out = new Map<number, number>();
  for (const { pid } of pids) {
    try {
      // Fields after "(comm) ": state is field 3, utime 14, stime 15.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK);
    } catch {
      // Gone meanwhile, or PostgreSQL on another host: not counted.
    }
  }
  return out;
}

/** Starts counting CPU of this process and of the backends; the returned function stops it (ms in all). */
async function cpuWindow(): Promise<() => Promise<{ node: number; pg: number }>> {
  const pg0 = await backendCpu();
  const node0 = process.cpuUsage();
  return async () => {
    const node = process.cpuUsage(node0);
    const pg1 = await backendCpu();
    let pg = 0;
    for (const [pid, ms] of pg1) pg += ms - (pg0.get(pid) ?? 0);
    return { node: (node.user + node.system) / 1000, pg };
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** Rounds of one way: mean throughput, median p50 and p99. */
function combine(ms: Measure[]): Measure {
  const mean = (f: (m: Measure) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  return {
    rps: mean((m) => m.rps),
    p50: median(ms.map((m) => m.p50)),
    p99: median(ms.map((m) => m.p99)),
    cpu: { node: mean((m) => m.cpu.node), pg: mean((m) => m.cpu.pg), client: mean((m) => m.cpu.client) },
  };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** C connections of HTTP load on one URL from another process (bench/http-load.ts). */
function driveHttp(url: string, headers: Record<string, string>): Promise<Measure> {
  const script = fileURLToPath(new URL('./http-load.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    // The client says when its measured run starts (after its warm-up): the server's and the
    // backends' CPU are counted from then.
    let window: Promise<() => Promise<{ node: number; pg: number }>> | null = null;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (window === null && nl >= 0 && out.slice(0, nl).includes('"phase"')) {
        window = cpuWindow();
        out = out.slice(nl + 1);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`http-load exited ${code}`));
      const r = JSON.parse(out) as { rps: number; p50: number; p99: number; errors: number; non2xx: number; requests: number; cpuMs: number };
      if (r.errors > 0 || r.non2xx > 0) return reject(new Error(`${url}: ${r.errors} errors, ${r.non2xx} non-2xx of ${r.requests}`));
      if (!window) return reject(new Error('http-load did not report its measured run'));
      window
        .then((stop) => stop())
        .then(({ node, pg }) => resolve({ rps: r.rps, p50: r.p50, p99: r.p99, cpu: { node: node / r.requests, pg: pg / r.requests, client: r.cpuMs / r.requests } }))
        .catch(reject);
    });
    child.stdin.end(JSON.stringify({ url, headers, connections: concurrency, seconds, warmSeconds: 1 }));
  });
}

async function drive(fn: () => Promise<void>): Promise<Measure> {
  for (let i = 0; i < 20; i++) await fn(); // warm
  const lat: number[] = [];
  const stop = await cpuWindow();
  const until = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const s = performance.now();
        await fn();
        lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = await stop();
  lat.sort((a, b) => a - b);
  return { rps: lat.length / elapsed, p50: pct(lat, 0.5), p99: pct(lat, 0.99), cpu: { node: cpu.node / lat.length, pg: cpu.pg / lat.length, client: 0 } };
}

const sizes = (await owner.query<{ rows: string; size: string }>(
  `SELECT (SELECT count(*) FROM results)::text AS rows, pg_size_pretty(sum(pg_total_relation_size(c))::bigint) AS size
     FROM unnest(ARRAY['results_events', 'races', 'entries', 'results', 'splits']::regclass[]) c`)).rows[0]!;
console.log(`warehouse: ${sizes.rows} results in all, ${sizes.size} on disk; partner ${pick.partnerId}, race ${pick.race_id}; ${seconds} s per query and way, ${rounds} rounds, ${concurrency} clients`);
// Two hand-written baselines: "pg" as a plain client writes it (BEGIN, SET LOCAL, the query,
// COMMIT, each awaited, unprepared), and "pg tuned" with what the API's own reads use
// (Database.statement: prepared per connection, BEGIN + settings, query and COMMIT in one round
// trip), so the API is also compared with the best a hand-written client could do here.
console.log('| query | API req/s | API p50 ms | API p99 ms | engine q/s | engine p99 ms | pg q/s | pg p50 ms | pg p99 ms | pg tuned q/s | pg tuned p99 ms | API/pg | engine/pg | API/pg tuned |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
// The engine alone: parse → plan → SQL → the JSON answer, in process (no HTTP, no token check, no usage count).
const engine = new RestApi(db);
const cpuLines: string[] = [];
for (const q of QUERIES) {
  const check = await fetch(base + q.path, { headers: { authorization: `Bearer ${secret}`, ...q.headers } });
  const body = await check.text();
  if (check.status >= 300) throw new Error(`${q.name}: ${check.status} ${body}`);
  const [view = '', query = ''] = q.path.split('?');
  const runs: Record<'api' | 'eng' | 'raw' | 'tuned', Measure[]> = { api: [], eng: [], raw: [], tuned: [] };
  for (let r = 0; r < rounds; r++) {
    runs.api.push(await driveHttp(base + q.path, { authorization: `Bearer ${secret}`, ...q.headers }));
    runs.eng.push(await drive(async () => {
      await engine.read(pick.partnerId, { view, query, prefer: q.headers?.prefer });
    }));
    runs.raw.push(await drive(async () => {
      const rows = await withPartner(db, pick.partnerId, (tx) => tx.query(q.sql, q.params));
      JSON.stringify(rows.rows);
    }));
    runs.tuned.push(await drive(async () => {
      const rows = await queryAsPartnerReadOnly(db, pick.partnerId, 5_000, q.sql, q.params);
      JSON.stringify(rows.rows);
    }));
  }
  const [api, eng, raw, tuned] = [combine(runs.api), combine(runs.eng), combine(runs.raw), combine(runs.tuned)];
  const f = (n: number) => n.toFixed(n < 10 ? 1 : 0);
  const c = (n: number) => n.toFixed(2);
  const total = (m: Measure) => m.cpu.node + m.cpu.pg + m.cpu.client;
  cpuLines.push(`| ${q.name} | ${c(api.cpu.node)} | ${c(api.cpu.pg)} | ${c(api.cpu.client)} | ${c(total(api))} | ${c(eng.cpu.node)} | ${c(eng.cpu.pg)} | ${c(total(eng))} | ${c(raw.cpu.node)} | ${c(raw.cpu.pg)} | ${c(total(raw))} | ${c(total(tuned))} |`);
  console.log(`| ${q.name} | ${f(api.rps)} | ${f(api.p50)} | ${f(api.p99)} | ${f(eng.rps)} | ${f(eng.p99)} | ${f(raw.rps)} | ${f(raw.p50)} | ${f(raw.p99)} | ${f(tuned.rps)} | ${f(tuned.p99)} | ${(api.rps / raw.rps).toFixed(2)} | ${(eng.rps / raw.rps).toFixed(2)} | ${(api.rps / tuned.rps).toFixed(2)} |`);
}
console.log('\nCPU per request (ms; mean of the rounds): API = web server, PostgreSQL backends, HTTP client; engine and pg = this process, backends');
console.log('| query | API server | API PostgreSQL | API client | API total | engine node | engine PostgreSQL | engine total | pg node | pg PostgreSQL | pg total | pg tuned total |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const line of cpuLines) console.log(line);
// Where an API request's time goes besides the read: the HTTP floor and the per-request accounting.
const floor = await driveHttp(`${origin}/health`, {});
const accounting = await drive(async () => {
  const auth = await app.accounts.tokens.authenticate(secret);
  if (auth?.partnerId) await app.apiCalls.count(auth.partnerId);
});
const f1 = (n: number) => n.toFixed(n < 10 ? 1 : 0);
console.log(`\nGET /health over HTTP (same client, no database): ${f1(floor.rps)} req/s, p50 ${f1(floor.p50)} ms, p99 ${f1(floor.p99)} ms; CPU per request: server ${floor.cpu.node.toFixed(3)} ms, client ${floor.cpu.client.toFixed(3)} ms`);
console.log(`token check + API-call count (in process: the lookup's one statement; the count in memory): ${f1(accounting.rps)}/s, p50 ${f1(accounting.p50)} ms, p99 ${f1(accounting.p99)} ms`);
await app.close();
await db.close();
await named.close();
await owner.close();
