/**
 * Synthetic results at the seed platform's scale (`p88 warehouse seed --scale N`), made by the
 * database itself (generate_series into temporary tables, then one INSERT … SELECT per table):
 * US cities, names by gender, distances from 5K to 100 miles, finish times from a Riegel-style
 * curve by distance with gender and age factors and log-normal spread, DNFs and DNSs by
 * distance, places by window functions, splits at a quarter, half and three quarters of
 * every course of 10K and more. setseed() and a single-process plan make it reproducible.
 *
 * Scale 1: 12,882 events, ~16,900 races, ~3.2M entries and results, ~4.4M splits (~10.8M rows).
 */
import type { Database, Queryable } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { Partners } from '../accounts/partners.service.js';
import { Usage } from '../accounts/usage.service.js';
import { AppError } from '../errors.js';

export interface SeedOptions {
  scale: number;
  partners: number;
  seed: number;
}

export interface SeedReport {
  partners: string[];
  events: number;
  races: number;
  entries: number;
  results: number;
  splits: number;
  ms: number;
  /** The five tables with their indexes, as PostgreSQL reports it. */
  size: string;
  bytes: number;
}

const CITIES = [
  ['New York', 'NY'], ['Los Angeles', 'CA'], ['Chicago', 'IL'], ['Houston', 'TX'], ['Phoenix', 'AZ'], ['Philadelphia', 'PA'],
  ['San Antonio', 'TX'], ['San Diego', 'CA'], ['Dallas', 'TX'], ['Austin', 'TX'], ['Jacksonville', 'FL'], ['Columbus', 'OH'],
  ['Charlotte', 'NC'], ['Indianapolis', 'IN'], ['Seattle', 'WA'], ['Denver', 'CO'], ['Boston', 'MA'], ['Nashville', 'TN'],
  ['Portland', 'OR'], ['Las Vegas', 'NV'], ['Detroit', 'MI'], ['Memphis', 'TN'], ['Louisville', 'KY'], ['Baltimore', 'MD'],
  ['Milwaukee', 'WI'], ['Albuquerque', 'NM'], ['Tucson', 'AZ'], ['Fresno', 'CA'], ['Sacramento', 'CA'], ['Atlanta', 'GA'],
  ['Omaha', 'NE'], ['Raleigh', 'NC'], ['Miami', 'FL'], ['Minneapolis', 'MN'], ['Tulsa', 'OK'], ['Cleveland', 'OH'],
  ['Tampa', 'FL'], ['Boise', 'ID'], ['Salt Lake City', 'UT'], ['Richmond', 'VA'], ['Madison', 'WI'], ['Burlington', 'VT'],
  ['Anchorage', 'AK'], ['Honolulu', 'HI'], ['Flagstaff', 'AZ'], ['Boulder', 'CO'], ['Asheville', 'NC'], ['Duluth', 'MN'],
];
const MALE = ['James', 'Michael', 'John', 'David', 'Robert', 'William', 'Daniel', 'Matthew', 'Christopher', 'Andrew', 'Joseph', 'Ryan', 'Brian', 'Kevin', 'Jason', 'Eric', 'Mark', 'Steven', 'Thomas', 'Jose', 'Carlos', 'Luis', 'Tyler', 'Kyle', 'Nathan', 'Aaron', 'Adam', 'Justin', 'Brandon', 'Scott', 'Paul', 'Sean', 'Patrick', 'Jacob', 'Ethan', 'Noah', 'Logan', 'Owen', 'Caleb', 'Wei'];
const FEMALE = ['Jennifer', 'Sarah', 'Jessica', 'Emily', 'Ashley', 'Amanda', 'Elizabeth', 'Megan', 'Lauren', 'Rachel', 'Stephanie', 'Nicole', 'Michelle', 'Laura', 'Katherine', 'Rebecca', 'Kimberly', 'Amy', 'Heather', 'Melissa', 'Maria', 'Ana', 'Sofia', 'Emma', 'Olivia', 'Hannah', 'Abigail', 'Madison', 'Chloe', 'Grace', 'Anna', 'Julia', 'Kelly', 'Erin', 'Allison', 'Molly', 'Kate', 'Claire', 'Mei', 'Priya'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes', 'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez'];
const KINDS = ['Turkey Trot', 'Marathon', 'Half Marathon', 'Fun Run', 'Classic', 'Trail Races', 'Ultra', 'Shamrock Run', 'Firecracker', 'Harvest Run', 'Charity Run', 'Resolution Run'];
/** Distances (metres, announced unit, label) with their share of races. */
const DISTANCES: [number, string, string, number][] = [
  [5000, 'km', '5K', 0.34], [10000, 'km', '10K', 0.2], [21097.5, 'km', 'Half Marathon', 0.2], [42195, 'km', 'Marathon', 0.12],
  [15000, 'km', '15K', 0.03], [50000, 'km', '50K', 0.05], [80467.2, 'mi', '50 Miler', 0.025], [100000, 'km', '100K', 0.015], [160934.4, 'mi', '100 Miler', 0.02],
];

const lit = (xs: readonly string[]) => `ARRAY[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(',')}]`;

async function count(tx: Queryable, sql: string): Promise<number> {
  return Number((await tx.query<{ n: number }>(sql)).rows[0]!.n);
}

/** Seeds as the owner (the platform's view: every partner). */
export async function seedWarehouse(owner: Database, app: Database, opts: SeedOptions): Promise<SeedReport> {
  if (!(opts.scale > 0 && opts.scale <= 2)) throw new AppError('bad_request', 'scale must be above 0 and at most 2');
  const started = Date.now();
  const partners = new Partners(app);
  const slugs: string[] = [];
  const ids: number[] = [];
  for (let i = 1; i <= opts.partners; i++) {
    const slug = `warehouse-${i}`;
    const p = (await partners.findBySlug(slug)) ?? (await partners.create({ slug, name: `Warehouse Timing ${i}` }));
    await new Usage(app).setPlan(p.id, 'enterprise'); // benchmarks make many API calls
    slugs.push(slug);
    ids.push(p.id);
  }
  const events = Math.max(1, Math.round(12_882 * opts.scale));
  const cumulative: number[] = [];
  DISTANCES.reduce((acc, d) => (cumulative.push(acc + d[3]), acc + d[3]), 0);
  const distanceCase = DISTANCES.map((d, i) => `WHEN u < ${cumulative[i]} THEN ${i + 1}`).join(' ');

  const report = await asPlatform(owner, async (tx) => {
    await tx.query('SET LOCAL max_parallel_workers_per_gather = 0');
    await tx.query('SET LOCAL synchronous_commit = off');
    // The rows are made consistent here; a superuser skips the per-row foreign-key triggers.
    const superuser = (await tx.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user')).rows[0]?.s === true;
    if (superuser) await tx.query("SET LOCAL session_replication_role = 'replica'");
    await tx.query(`SELECT setseed(${(opts.seed % 1000) / 1000})`);
    const base = async (table: string) => count(tx, `SELECT coalesce(max(id), 0) AS n FROM ${table}`);
    const [be, br, bn, bs, bsp] = [await base('results_events'), await base('races'), await base('entries'), await base('results'), await base('splits')];

    await tx.query(`CREATE TEMP TABLE w_dist (k integer, metres numeric, unit text, label text) ON COMMIT DROP`);
    await tx.query(`INSERT INTO w_dist VALUES ${DISTANCES.map((d, i) => `(${i + 1}, ${d[0]}, '${d[1]}', '${d[2]}')`).join(',')}`);
    // Volatile random() in each row's own select list: evaluated once per row, in scan order.
    await tx.query(`
      CREATE TEMP TABLE w_events ON COMMIT DROP AS
      SELECT ${be} + g AS id, (ARRAY[${ids.join(',')}])[1 + g % ${ids.length}] AS partner_id,
             (${lit(CITIES.map((c) => c[0]!))})[ci] AS city, (${lit(CITIES.map((c) => c[1]!))})[ci] AS state,
             (${lit(CITIES.map((c) => c[0]!))})[ci] || ' ' || (${lit(KINDS)})[1 + (uk * ${KINDS.length - 1})::int] || ' ' || extract(year FROM d)::int AS name, d
        FROM (SELECT g, date '2014-01-01' + (random() * 4700)::int AS d, 1 + (random() * ${CITIES.length - 1})::int AS ci, random() AS uk
                FROM generate_series(1, ${events}) g) x`);
    await tx.query(`
      INSERT INTO results_events (id, partner_id, provider, external_id, name, start_date, start_time, time_zone, city, state, country)
      SELECT id, partner_id, 'synthetic', id::text, name, d, (d + time '07:00') AT TIME ZONE 'America/Chicago', 'America/Chicago', city, state, 'US' FROM w_events`);
    // One race per event, a second for about a third of them.
    await tx.query(`
      CREATE TEMP TABLE w_races ON COMMIT DROP AS
      SELECT ${br} + row_number() OVER (ORDER BY x.id, x.n) AS id, x.id AS event_id, x.partner_id, x.d, w.k, w.metres, w.unit, w.label,
             -- entries: exponential around a mean that falls with distance
             greatest(5, (-ln(1 - x.un * 0.999) * CASE WHEN w.metres <= 10000 THEN 220 WHEN w.metres <= 42195 THEN 165 ELSE 50 END)::int) AS n
        FROM (SELECT e.id, e.partner_id, e.d, n, random() AS u, random() AS un
                FROM w_events e CROSS JOIN LATERAL generate_series(1, CASE WHEN random() < 0.31 + 0 * e.id THEN 2 ELSE 1 END) n) x
        JOIN w_dist w ON w.k = CASE ${distanceCase.replace(/WHEN u </g, 'WHEN x.u <')} ELSE 1 END`);
    await tx.query(`
      INSERT INTO races (id, partner_id, event_id, provider, external_id, name, distance_m, distance_unit, start_time, time_zone)
      SELECT id, partner_id, event_id, 'synthetic', id::text, label, metres, unit, (d + time '07:00' + (k % 3) * interval '15 minutes') AT TIME ZONE 'America/Chicago', 'America/Chicago' FROM w_races`);
    await tx.query(`
      CREATE TEMP TABLE w_entries ON COMMIT DROP AS
      SELECT ${bn} + row_number() OVER (ORDER BY z.race_id, z.bib) AS id, z.*,
             CASE WHEN z.u_status < 0.01 THEN 'DNS'
                  WHEN z.u_status < 0.01 + CASE WHEN z.metres <= 21097.5 THEN 0.015 WHEN z.metres <= 42195 THEN 0.035 ELSE 0.14 END THEN 'DNF'
                  WHEN z.u_status > 0.999 THEN 'DQ' ELSE 'finished' END AS status,
             -- seconds: a 5K base by gender, Riegel-style growth with distance (steeper past the marathon), age, log-normal spread
             (CASE z.gender WHEN 'M' THEN 1560 WHEN 'F' THEN 1800 ELSE 1680 END
               * power(z.metres / 5000.0, CASE WHEN z.metres > 42195 THEN 1.16 ELSE 1.07 END)
               * (1 + greatest(0, z.age - 32) * 0.009 + greatest(0, 22 - z.age) * 0.006)
               * exp(0.2 * sqrt(-2 * ln(1 - z.u1)) * cos(2 * pi() * z.u2))) AS chip_s
        FROM (SELECT y.*,
                     CASE WHEN y.ug < 0.52 THEN 'M' WHEN y.ug < 0.98 THEN 'F' WHEN y.ug < 0.99 THEN 'X' ELSE 'U' END AS gender,
                     (14 + least(66, greatest(0, 22 + 12 * sqrt(-2 * ln(1 - y.ua)) * cos(2 * pi() * y.ub))))::int AS age
                FROM (SELECT r.id AS race_id, r.event_id, r.partner_id, r.metres, g AS bib,
                             random() AS ug, random() AS ua, random() AS ub, 1 + (random() * ${CITIES.length - 1})::int AS ci, random() AS uf,
                             1 + (random() * ${LAST.length - 1})::int AS li, random() AS u_status, random() AS u1, random() AS u2, random() AS u_gun
                        FROM w_races r CROSS JOIN LATERAL generate_series(1, r.n) g) y) z`);
    await tx.query(`
      INSERT INTO entries (id, partner_id, event_id, race_id, provider, external_id, bib, first_name, last_name, gender, age, city, state, country, division, status)
      SELECT id, partner_id, event_id, race_id, 'synthetic', id::text, bib::text,
             CASE WHEN gender = 'F' THEN (${lit(FEMALE)})[1 + (uf * ${FEMALE.length - 1})::int] ELSE (${lit(MALE)})[1 + (uf * ${MALE.length - 1})::int] END,
             (${lit(LAST)})[li], gender, age, (${lit(CITIES.map((c) => c[0]!))})[ci], (${lit(CITIES.map((c) => c[1]!))})[ci], 'US',
             gender || CASE WHEN age < 20 THEN '01-19' WHEN age >= 70 THEN '70+' ELSE (age / 10 * 10)::text || '-' || (age / 10 * 10 + 9)::text END,
             CASE WHEN status = 'DNS' THEN 'registered' ELSE 'started' END
        FROM w_entries`);
    await tx.query(`
      INSERT INTO results (id, partner_id, entry_id, race_id, event_id, provider, external_id, status, chip_time_ms, gun_time_ms, pace_ms_per_km,
                           overall_place, gender_place, division_place)
      SELECT ${bs} + row_number() OVER (ORDER BY id), partner_id, id, race_id, event_id, 'synthetic', id::text, status, chip_ms, gun_ms,
             CASE WHEN chip_ms IS NOT NULL THEN round(chip_ms / (metres / 1000))::int END,
             CASE WHEN fin THEN rank() OVER (PARTITION BY race_id, fin ORDER BY chip_ms) END,
             CASE WHEN fin THEN rank() OVER (PARTITION BY race_id, fin, gender ORDER BY chip_ms) END,
             CASE WHEN fin THEN rank() OVER (PARTITION BY race_id, fin, gender, age / 10 ORDER BY chip_ms) END
        FROM (SELECT *, status = 'finished' AS fin,
                     CASE WHEN status = 'finished' THEN round(chip_s * 1000)::bigint END AS chip_ms,
                     CASE WHEN status = 'finished' THEN round((chip_s + u_gun * least(900, metres / 50)) * 1000)::bigint END AS gun_ms
                FROM w_entries) e`);
    await tx.query(`
      INSERT INTO splits (id, partner_id, result_id, provider, external_id, seq, label, distance_m, time_ms)
      SELECT ${bsp} + row_number() OVER (ORDER BY r.id, f.seq), r.partner_id, r.id, 'synthetic', r.id || ':' || f.seq, f.seq,
             CASE WHEN w.unit = 'mi' THEN round(w.metres * f.frac / 1609.344, 1) || ' mi' ELSE round(w.metres * f.frac / 1000, 1) || ' km' END,
             round(w.metres * f.frac, 2), round(r.chip_time_ms * f.frac * (0.96 + random() * 0.03))::bigint
        FROM results r
        JOIN w_races w ON w.id = r.race_id
        CROSS JOIN (VALUES (1, 0.25), (2, 0.5), (3, 0.75)) AS f(seq, frac)
       WHERE r.id > ${bs} AND r.chip_time_ms IS NOT NULL AND w.metres >= 10000`);
    for (const t of ['results_events', 'races', 'entries', 'results', 'splits']) {
      await tx.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`);
    }
    return {
      events: await count(tx, `SELECT count(*) AS n FROM results_events WHERE id > ${be}`),
      races: await count(tx, `SELECT count(*) AS n FROM races WHERE id > ${br}`),
      entries: await count(tx, `SELECT count(*) AS n FROM entries WHERE id > ${bn}`),
      results: await count(tx, `SELECT count(*) AS n FROM results WHERE id > ${bs}`),
      splits: await count(tx, `SELECT count(*) AS n FROM splits WHERE id > ${bsp}`),
    };
  });
  for (const t of ['results_events', 'races', 'entries', 'results', 'splits']) await owner.query(`ANALYZE ${t}`);
  const size = (
    await owner.query<{ bytes: number; pretty: string }>(
      `SELECT sum(pg_total_relation_size(c))::bigint AS bytes, pg_size_pretty(sum(pg_total_relation_size(c))::bigint) AS pretty
         FROM unnest(ARRAY['results_events', 'races', 'entries', 'results', 'splits']::regclass[]) c`,
    )
  ).rows[0]!;
  return { partners: slugs, ...report, ms: Date.now() - started, size: size.pretty, bytes: Number(size.bytes) };
}
