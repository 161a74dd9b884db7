/**
 * bench/roster — a marathon-sized roster: 50,000 participants.
 *
 *   CSV import        POST /api/rosters/{id}/csv over HTTP (parse, validate, match, write)
 *   re-import         the same file again (nothing changes), then with 5 % of the names changed
 *   COPY baseline     PostgreSQL's COPY FROM of the very rows the import stored (same table,
 *                     same indexes and tag trigger), best of three: the ceiling
 *   roster in memory  how long a display's matcher takes to load it (every web process loads
 *                     it for the first screen, and again after any edit), how long it holds
 *                     the event loop, and its heap
 *
 * Run: npm run bench:roster (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *      BENCH_PARTICIPANTS default 50000)
 */
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { APP_ROLE } from '../src/db/tenant.js';
import { migrate } from '../src/db/migrate.js';
import { RosterMatcher } from '../src/rosters/roster-matcher.js';
import { Rosters } from '../src/rosters/roster.service.js';
import { createLogger } from '../src/log.js';
import { buildWebApp } from '../src/web/app.js';
import { signIn } from '../test/helpers/auth.js';
import { testConfig } from '../test/helpers/config.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { copyIn, copyOut } from './copy.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = Number(process.env.BENCH_PARTICIPANTS ?? 50_000);
const COLUMNS = 'partner_id, event_id, external_id, bib, tags, first_name, last_name, age, gender, city, state, country, division, race, wave, team, custom_message, raw';

const FIRST = ['Grace', 'Alan', 'Ada', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken', 'Frances', 'Dennis'];
const LAST = ['Hopper', 'Turing', 'Lovelace', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton', 'Thompson', 'Allen', 'Ritchie'];
const CITIES: Array<[string, string]> = [
  ['Boston', 'MA'],
  ['Austin', 'TX'],
  ['Denver', 'CO'],
  ['Portland', 'OR'],
];

function csvOf(n: number, renamedEvery = 0): string {
  const lines = ['Bib,Chip,First Name,Last Name,Age,Sex,City,State,Country,Division,Race,Wave,Team,Message'];
  for (let i = 0; i < n; i++) {
    const [city, state] = CITIES[i % CITIES.length]!;
    const first = renamedEvery > 0 && i % renamedEvery === 0 ? `Renamed${i}` : FIRST[i % FIRST.length]!;
    lines.push(
      [1000 + i, `T${100000 + i}`, first, LAST[(i * 7) % LAST.length]!, 18 + (i % 60), i % 2 ? 'F' : 'M', city, state, 'USA', `${i % 2 ? 'F' : 'M'}${18 + (i % 60)}`, 'Marathon', `W${1 + (i % 8)}`, i % 50 === 0 ? 'Team "Fast", Inc.' : '', i % 3 === 0 ? `Go runner ${i}!` : ''].map(cell).join(','),
    );
  }
  return lines.join('\n');
}

function cell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const mapping = {
  bib: 'Bib',
  tags: ['Chip'],
  first_name: 'First Name',
  last_name: 'Last Name',
  age: 'Age',
  gender: 'Sex',
  city: 'City',
  state: 'State',
  country: 'Country',
  division: 'Division',
  race: 'Race',
  wave: 'Wave',
  team: 'Team',
  custom_message: 'Message',
};

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Runs work while a 1 ms timer measures the longest the event loop was held. */
async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; longestBlockMs: number }> {
  let last = performance.now();
  let longest = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 1);
  const started = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - started;
    longest = Math.max(longest, performance.now() - last);
    return { result, ms, longestBlockMs: longest };
  } finally {
    clearInterval(probe);
  }
}

async function main(): Promise<void> {
  const server = await createServerDatabase(baseUrl);
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  const db = owner.asRole(APP_ROLE);
  const app = await buildWebApp({ db, logger: createLogger('silent'), config: testConfig({}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const client = new pg.Client({ connectionString: server.url });
  client.on('error', () => {});
  try {
    await client.connect();
    // The built-in local partner on an unlimited plan: the bench measures imports, not limits.
    await owner.query(`UPDATE partner_plans SET plan = 'enterprise' WHERE partner_id = 1`);
    const who = await signIn(app, 1, 'owner');
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, { method, headers: { ...who.headers, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    const event = (await api('POST', '/api/rosters', { name: 'Bench Marathon' })) as { id: number };

    const csv = csvOf(count);
    const importOnce = (text: string) => timed(() => api('POST', `/api/rosters/${event.id}/csv`, { csv: text, mapping }));
    const first = await importOnce(csv);
    const again = await importOnce(csv);
    const changed = await importOnce(csvOf(count, 20));
    const stored = (await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM participants WHERE event_id = $1', [event.id])).rows[0]!.n;

    // The same rows through COPY, into a second event of the same partner.
    const other = (await api('POST', '/api/rosters', { name: 'COPY target' })) as { id: number };
    const chunks = await copyOut(client, `SELECT ${COLUMNS.replace('event_id', `${other.id} AS event_id`)} FROM participants WHERE event_id = ${event.id} ORDER BY id`);
    let copySeconds = Infinity;
    for (let run = 0; run < 3; run++) {
      await client.query('DELETE FROM participants WHERE event_id = $1', [other.id]);
      await client.query('VACUUM participants');
      copySeconds = Math.min(copySeconds, await copyIn(client, 'participants', COLUMNS, chunks));
    }

    // What a display's web process does for the first screen and after every roster edit.
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const load = await timed(() => RosterMatcher.load(new Rosters(db), 1, event.id));
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const matched = load.result.match(`T${100000 + count - 1}`)?.bib === String(1000 + count - 1);

    const importRate = count / (first.ms / 1000);
    const copyRate = count / copySeconds;
    const rows: Array<[string, string]> = [
      ['participants', `${fmt(count)} (CSV ${mib(Buffer.byteLength(csv))}); stored ${fmt(stored)}${stored === count ? '' : ' MISMATCH'}`],
      ['CSV import over HTTP', `${(first.ms / 1000).toFixed(2)} s, ${fmt(importRate)} rows/s (inserted ${String(first.result.inserted)})`],
      ['re-import, unchanged', `${(again.ms / 1000).toFixed(2)} s (updated ${String(again.result.updated)})`],
      ['re-import, 5 % renamed', `${(changed.ms / 1000).toFixed(2)} s (updated ${String(changed.result.updated)})`],
      ['COPY ceiling, same rows', `${copySeconds.toFixed(2)} s, ${fmt(copyRate)} rows/s (best of 3)`],
      ['import / COPY', (importRate / copyRate).toFixed(2)],
      ['roster into memory', `${load.ms.toFixed(0)} ms; event loop held at most ${load.longestBlockMs.toFixed(0)} ms; heap +${mib(heapAfter - heapBefore)}${global.gc ? '' : ' (run with --expose-gc for a steadier figure)'}; last tag matched: ${matched ? 'yes' : 'NO'}`],
      ['web server held the loop', `import ${first.longestBlockMs.toFixed(0)} ms, re-import ${again.longestBlockMs.toFixed(0)} ms (this process serves HTTP and runs the import)`],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log(`\nbench/roster on ${new URL(baseUrl).host}`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  } finally {
    await client.end().catch(() => {});
    await app.close();
    await db.close();
    await owner.close();
    await server.drop();
  }
}

await main();
