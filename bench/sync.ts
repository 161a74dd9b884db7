/**
 * The pull sync on a big RunSignUp race: N participants (default 30,000) and their results from
 * the loopback fake RunSignUp, into a fresh server database. Measures, in one run:
 *   - the full first sync: time (fetch and write), calls made (pages, not one per registration);
 *   - an incremental one with 1% changed (modified_after_timestamp): time, calls, counts;
 *   - the write phase's rows per second against COPY of the same rows (entries and results)
 *     into tables LIKE them (same indexes), in the same run.
 * The pull runs as the sync job's body does (pullEvent), without the queue's provider rate
 * limit (sync-jobs.ts: 2 calls/s [guess]), which through the queue adds ~calls/2 seconds.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres BENCH_PARTICIPANTS=30000 \
 *     node --import tsx bench/sync.ts
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { APP_ROLE, withPartner } from '../src/db/tenant.js';
import { createAdapter } from '../src/providers/index.js';
import { fakeRsuParticipants, startFakeRunSignUp } from '../src/providers/runsignup/fake-server.js';
import { getCursor, saveCursor } from '../src/sync/sync-warehouse.repo.js';
import { pullEvent } from '../src/sync/sync-pull.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { copyIn, copyOut } from './copy.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const count = Number(process.env.BENCH_PARTICIPANTS ?? 30_000);
const PARTNER = 1;

function fmt(ms: number, n?: number): string {
  return n === undefined ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(2)} s (${Math.round(n / (ms / 1000)).toLocaleString('en-US')} rows/s)`;
}

async function main(): Promise<void> {
  const participants = fakeRsuParticipants(count, { idBase: 100_000 });
  // Registrations over time: each last modified in its own second.
  participants.forEach((p, i) => (p.last_modified = 1_700_000_000 + i));
  const results = participants.map((p, i) => ({
    result_id: i + 1, registration_id: p.registration_id, place: i + 1, bib: p.bib_num, first_name: (p.user as { first_name: string }).first_name,
    last_name: (p.user as { last_name: string }).last_name, gender: (p.user as { gender: string }).gender, age: p.age,
    clock_time: `${3 + Math.floor(i / 3600)}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.0`, chip_time: '',
    'split-1': `1:${String(30 + (Math.floor(i / 60) % 30)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.0`,
  }));
  const rsu = await startFakeRunSignUp({
    apiKey: 'bench', apiSecret: 'bench',
    races: [{
      race_id: 1, name: 'Bench Marathon', next_date: '10/12/2025', timezone: 'America/Chicago', address: { city: 'Chicago', state: 'IL', country_code: 'US' },
      events: [{ event_id: 11, name: 'Marathon', start_time: '10/12/2025 07:30', distance: '26.2 Miles', participants, result_sets: [{ individual_result_set_id: 5, individual_result_set_name: 'Overall', results_headers: { 'split-1': 'Half' }, results }] }],
    }],
  });
  const server = await createServerDatabase(baseUrl);
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  const db = owner.asRole(APP_ROLE);
  const client = new pg.Client({ connectionString: server.url });
  client.on('error', () => {});
  await client.connect();
  const connId = (await owner.query<{ id: number }>(`INSERT INTO provider_connections (partner_id, provider, credentials_sealed) VALUES ($1, 'runsignup', 'v1:bench') RETURNING id`, [PARTNER])).rows[0]!.id;
  const adapter = createAdapter('runsignup', { apiKey: 'bench', apiSecret: 'bench' }, { runsignup: rsu.baseUrl } as never, {});
  const ctx = { progress: () => {}, signal: new AbortController().signal };
  try {
    // Full first sync.
    rsu.requests.length = 0;
    let started = performance.now();
    const first = await pullEvent(db, PARTNER, adapter, '1', ctx, { since: null, connectionId: connId });
    const firstMs = performance.now() - started;
    const firstCalls = rsu.requests.length;
    const firstRows = first.participants.new + first.results.new;

    // 1% changed at the provider, then an incremental sync.
    const changed = Math.round(count / 100);
    for (let i = 0; i < changed; i++) {
      const p = participants[i * 100]!;
      p.last_modified = 1_700_000_000 + count + i;
      p.user = { ...(p.user as object), last_name: `Changed${i}` };
    }
    const cursor = await withPartner(db, PARTNER, (tx) => getCursor(tx, PARTNER, connId, '1'));
    rsu.requests.length = 0;
    started = performance.now();
    const inc = await pullEvent(db, PARTNER, adapter, '1', ctx, { since: cursor!.since, connectionId: connId });
    const incMs = performance.now() - started;
    const incCalls = rsu.requests.length;
    await withPartner(db, PARTNER, (tx) => saveCursor(tx, PARTNER, connId, '1', cursor!.since, false));

    // COPY of the same rows into tables like them (same indexes), in the same run.
    await client.query('CREATE TABLE bench_entries (LIKE entries INCLUDING DEFAULTS INCLUDING INDEXES)');
    await client.query('CREATE TABLE bench_results (LIKE results INCLUDING DEFAULTS INCLUDING INDEXES)');
    const ENTRY_COLS = 'id, partner_id, event_id, race_id, provider, external_id, bib, first_name, last_name, gender, age, birth_date, city, state, country, team, division, wave, status, raw';
    const RESULT_COLS = 'id, partner_id, entry_id, race_id, event_id, provider, external_id, status, chip_time_ms, gun_time_ms, pace_ms_per_km, overall_place, gender_place, division_place, raw';
    const entryChunks = await copyOut(client, `SELECT ${ENTRY_COLS} FROM entries WHERE partner_id = ${PARTNER} ORDER BY id`);
    const resultChunks = await copyOut(client, `SELECT ${RESULT_COLS} FROM results WHERE partner_id = ${PARTNER} ORDER BY id`);
    let copySeconds = Infinity;
    for (let run = 0; run < 3; run++) {
      await client.query('TRUNCATE bench_entries, bench_results');
      copySeconds = Math.min(copySeconds, (await copyIn(client, 'bench_entries', ENTRY_COLS, entryChunks)) + (await copyIn(client, 'bench_results', RESULT_COLS, resultChunks)));
    }
    const copied = Number((await client.query<{ n: string }>('SELECT (SELECT count(*) FROM bench_entries) + (SELECT count(*) FROM bench_results) AS n')).rows[0]!.n);

    const stored = (await owner.query<{ e: number; r: number; s: number }>(`SELECT (SELECT count(*)::int FROM entries) AS e, (SELECT count(*)::int FROM results) AS r, (SELECT count(*)::int FROM splits) AS s`)).rows[0]!;
    const writeRate = firstRows / (first.summary.writeMs / 1000);
    const copyRate = copied / copySeconds;
    const lines = [
      `bench/sync: RunSignUp race of ${count.toLocaleString('en-US')} participants and ${results.length.toLocaleString('en-US')} results (loopback fake), PostgreSQL ${(await client.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version}`,
      `full first sync:        ${fmt(firstMs)} — fetch ${fmt(first.summary.fetchMs)}, write ${fmt(first.summary.writeMs, firstRows)}; ${firstCalls} provider calls (${first.summary.pages} pages); ${first.participants.new} entries + ${first.results.new} results new`,
      `incremental, 1% changed: ${fmt(incMs)} — fetch ${fmt(inc.summary.fetchMs)}, write ${fmt(inc.summary.writeMs)}; ${incCalls} provider calls; participants ${inc.participants.updated} updated / ${inc.participants.unchanged} unchanged / ${inc.participants.new} new, results ${inc.results.unchanged} unchanged / ${inc.results.updated} updated`,
      `writes vs COPY:         sync write ${Math.round(writeRate).toLocaleString('en-US')} rows/s, COPY of the same ${copied.toLocaleString('en-US')} rows ${Math.round(copyRate).toLocaleString('en-US')} rows/s (${(copySeconds).toFixed(2)} s, best of 3) — ${(copyRate / writeRate).toFixed(1)}x`,
      `stored: ${stored.e} entries, ${stored.r} results, ${stored.s} splits; calls per 1,000 registrations: ${((firstCalls / count) * 1000).toFixed(2)} (the seed: 1,000)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (inc.participants.updated !== changed) throw new Error(`expected ${changed} updated, got ${inc.participants.updated}`);
  } finally {
    await client.end();
    await db.close();
    await owner.close();
    await server.drop();
    await rsu.close();
  }
}

await main();
