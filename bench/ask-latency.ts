/**
 * bench:ask --latency: p50/p95 of typical questions on a seeded warehouse (issue 15's goal:
 * p95 ≤ 200 ms on the `--scale 1` warehouse on the PostgreSQL server). Reads only: the
 * questions are built from the partner's own event and runner names (read by the owner's
 * connection), then asked through the engine as the application role, each in its read-only
 * partner transaction, several rounds (the first round is a warm-up and not counted).
 *   DATABASE_URL=postgres://…/p88_scale1 node --import tsx bench/ask.ts --latency [--partner warehouse-3] [--rounds 5]
 */
import { Ask } from '../src/ask/ask.service.js';
import { openDatabase } from '../src/db/index.js';
import { APP_ROLE } from '../src/db/tenant.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function runLatency(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('--latency needs DATABASE_URL pointing at a seeded warehouse (p88 warehouse seed)');
  const slug = arg('--partner', 'warehouse-3');
  const rounds = Math.max(2, Number(arg('--rounds', '5')));
  const owner = await openDatabase({ url });
  const db = owner.asRole(APP_ROLE);
  try {
    const partner = (await owner.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [slug])).rows[0];
    if (!partner) throw new Error(`no partner ${slug}`);
    const pid = partner.id;
    // A marathon whose name says so (a name without a word of the domain, "Madison Classic 2026", is
    // not understood by analyze and compare on its own) and is the partner's only event of that
    // name (a shared name is a clarify), the biggest of those.
    const pick = async (distance: string, skip: string[] = []) => (await owner.query<{ name: string }>(
      `SELECT ev.name FROM results_events ev JOIN races ra ON ra.event_id = ev.id
        WHERE ev.partner_id = $1 AND ev.name ILIKE '%marathon%' AND ev.name NOT ILIKE '%half%' AND ra.distance_m BETWEEN $2::numeric * 0.99 AND $2::numeric * 1.01 AND ev.name <> ALL($3::text[])
          AND NOT EXISTS (SELECT 1 FROM results_events o WHERE o.partner_id = ev.partner_id AND o.name = ev.name AND o.id <> ev.id)
        GROUP BY ev.id, ev.name ORDER BY (SELECT count(*) FROM entries e WHERE e.event_id = ev.id) DESC, ev.id LIMIT 1`, [pid, distance, skip])).rows[0]!.name;
    const marathon = await pick('42195');
    const other = await pick('42195', [marathon]);
    // A finisher of that marathon, with the home city: the seed's names repeat (100 last names), so a
    // name alone is several people and a find or PR asks which; "<name> from <city>" is one.
    const person = (await owner.query<{ first_name: string; last_name: string; city: string }>(
      `SELECT e.first_name, e.last_name, e.city FROM entries e JOIN results_events ev ON ev.id = e.event_id JOIN results r ON r.entry_id = e.id
        WHERE ev.partner_id = $1 AND ev.name = $2 AND e.first_name IS NOT NULL AND e.city IS NOT NULL AND r.status = 'finished' ORDER BY e.id LIMIT 1`, [pid, marathon])).rows[0]!;
    const who = `${person.first_name} ${person.last_name}`;
    const session = (await owner.query<{ id: number }>('SELECT max(id)::int AS id FROM timing_sessions WHERE partner_id = $1', [pid])).rows[0]?.id ?? 1;
    const questions = [
      `How many runners finished the ${marathon} under 4 hours?`,
      `Show me all participants in the ${marathon}`,
      `Analyze performance for the ${marathon}`,
      'How many people finished under 3 hours in marathons last year?',
      'How many events did we time last year?',
      'Show me Boston qualifiers last year',
      'Show me Boston qualifiers',
      `Find runner ${who}`,
      `Show me ${who} from ${person.city}'s marathon PR`,
      // a lower-case name no rule reads: found by looking the word pairs up in the partner's results
      `${who.toLowerCase()} ${marathon.toLowerCase()} time`,
      // no word of the domain: answered only because it names the partner's event
      `${marathon.toLowerCase().replace(/ marathon/, '')} median`,
      `Compare ${marathon} and ${other}`,
      `top 10 women in the ${marathon}`,
      `How many DNFs at the ${marathon}?`,
      `What's the current timing data for session ${session}?`,
    ];
    const ask = new Ask(db);
    const times = new Map<string, number[]>(questions.map((q) => [q, []]));
    const statuses = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      for (const q of questions) {
        const t0 = performance.now();
        const a = await ask.query(pid, q);
        const ms = performance.now() - t0;
        if (round > 0) times.get(q)!.push(ms);
        statuses.set(q, `${a.status}${a.value !== null ? ` ${a.value}` : ` ${a.row_count} rows`}`);
      }
    }
    console.log(`ask latency on ${new URL(url).pathname.slice(1)}, partner ${slug} (${pid}), ${rounds - 1} counted rounds after a warm-up`);
    console.log(`${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  question → answer`);
    const all: number[] = [];
    for (const q of questions) {
      const t = times.get(q)!.sort((x, y) => x - y);
      all.push(...t);
      console.log(`${pct(t, 0.5).toFixed(1).padStart(8)} ${pct(t, 0.95).toFixed(1).padStart(8)}  ${q} → ${statuses.get(q)}`);
    }
    all.sort((x, y) => x - y);
    console.log(`${pct(all, 0.5).toFixed(1).padStart(8)} ${pct(all, 0.95).toFixed(1).padStart(8)}  overall (${all.length} answers)`);
  } finally {
    await db.close();
    await owner.close();
  }
}
