/**
 * bench/abuse — what the service still answers to other partners while anonymous clients and
 * a signed-in abuser push on it (issue 12, findings 2 and 3), on a PostgreSQL server.
 *
 *   replay flood     BENCH_FLOOD anonymous clients (another process) reconnect to one display
 *                    link of a session of BENCH_READS reads, each with a random Last-Event-ID
 *                    far behind, again and again; meanwhile another partner's signed-in API
 *                    call (GET /api/timing/stats) and /health are timed
 *   password flood   BENCH_ABUSERS signed-in viewers (another process, each from its own
 *                    address) send POST /api/auth/password with wrong current passwords as fast
 *                    as answers come; meanwhile another partner's users sign in, and are timed
 *
 * Each prints p50 / p99 / max with and without the abuse, and what the abusers were answered.
 * Run: npm run bench:abuse (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres;
 *      BENCH_READS default 150000, BENCH_FLOOD default 300, BENCH_ABUSERS default 40, BENCH_SECONDS default 10)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/index.js';
import { APP_ROLE } from '../src/db/tenant.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { buildWebApp } from '../src/web/app.js';
import { signIn, TEST_PASSWORD, type SignedIn } from '../test/helpers/auth.js';
import { testConfig } from '../test/helpers/config.js';
import { createServerDatabase } from '../test/helpers/db.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface FloodResult {
  statuses: Record<string, number>;
  requests: number;
}

// ------------------------------------------------------------------------------ the abusers

async function replayFlood(base: string, link: string, clients: number, reads: number): Promise<FloodResult> {
  const statuses: Record<string, number> = {};
  let requests = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 2000); // a screen "reconnecting" every 2 s
        try {
          const res = await fetch(`${base}/api/display/${link}/stream`, { headers: { 'last-event-id': String(Math.floor(Math.random() * reads)) }, signal: controller.signal });
          requests++;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.ok && res.body) for await (const _ of res.body) void _;
          else {
            await res.body?.cancel();
            await new Promise((r) => setTimeout(r, 2000 * Math.random()));
          }
        } catch {
          // aborted after 2 s, as planned
        } finally {
          clearTimeout(timer);
        }
      }
    }),
  );
  return { statuses, requests };
}

async function passwordFlood(base: string, abusers: SignedIn[]): Promise<FloodResult> {
  const statuses: Record<string, number> = {};
  let requests = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    abusers.map(async (who, i) => {
      while (Date.now() < until) {
        const res = await fetch(`${base}/api/auth/password`, {
          method: 'POST',
          headers: { ...who.headers, 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
          body: JSON.stringify({ current_password: `wrong guess ${requests}`, new_password: 'a new long password' }),
        });
        requests++;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        await res.body?.cancel();
      }
    }),
  );
  return { statuses, requests };
}

if (process.argv[2] === 'child') {
  const job = JSON.parse(process.argv[3]!) as { kind: 'replay'; base: string; link: string; clients: number; reads: number } | { kind: 'password'; base: string; abusers: SignedIn[] };
  const result = job.kind === 'replay' ? await replayFlood(job.base, job.link, job.clients, job.reads) : await passwordFlood(job.base, job.abusers);
  process.send!(result);
  process.exit(0);
}

function abuse(job: object): Promise<FloodResult> {
  const child = fork(fileURLToPath(import.meta.url), ['child', JSON.stringify(job)], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as FloodResult));
    child.once('error', reject);
  });
}

// ------------------------------------------------------------------------------ measuring

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${s.at(-1)!.toFixed(0)} ms (n=${s.length})`;
}

async function sample(fn: () => Promise<Response>, forMs: number, gapMs: number): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  const until = Date.now() + forMs;
  while (Date.now() < until) {
    const t0 = performance.now();
    const res = await fn();
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    if (!res.ok) failed++;
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return { ms, failed };
}

async function main(): Promise<void> {
  const reads = Number(process.env.BENCH_READS ?? 150_000);
  const flood = Number(process.env.BENCH_FLOOD ?? 300);
  const abusers = Number(process.env.BENCH_ABUSERS ?? 40);
  const server = await createServerDatabase(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  const db = owner.asRole(APP_ROLE, { max: 10 });
  const config = testConfig({ TRUST_PROXY: 'true' });
  const app = await buildWebApp({ db, logger: createLogger('silent'), config });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const a = await app.accounts.partners.create({ slug: 'acme', name: 'Acme' });
    const b = await app.accounts.partners.create({ slug: 'beta', name: 'Beta' });
    await owner.query(`UPDATE partner_plans SET plan = 'enterprise' WHERE partner_id IN ($1, $2)`, [a.id, b.id]);
    const session = (await owner.query<{ id: number }>(`INSERT INTO timing_sessions (partner_id, session_name, status) VALUES ($1, 'Marathon', 'active') RETURNING id`, [a.id])).rows[0]!.id;
    const loc = (await owner.query<{ id: number }>(`INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, 'finish') RETURNING id`, [a.id, session])).rows[0]!.id;
    const stream = (await owner.query<{ id: number }>(`INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name) VALUES ($1, $2, $3, 'conn:a', 'finish') RETURNING id`, [a.id, session, loc])).rows[0]!.id;
    await owner.query(
      `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name, tag_code, read_time, time_raw, lap_count, reader_id, gator_number, raw_line)
       SELECT $1, $2, $3, $4, 'conn:a', g, 'finish', (1000 + g % 5000)::text, now() - interval '3 hours' + g * interval '50 ms', 't', 1, 'R', 1, 'l' FROM generate_series(1, $5) g`,
      [a.id, session, loc, stream, reads],
    );
    await owner.query('ANALYZE timing_reads');
    await owner.query(`INSERT INTO display_links (id, partner_id, session_id, locations, settings) VALUES ('Bench001', $1, $2, '{}', '{"repeatWindowMs": 0}')`, [a.id, session]);
    const betaOwner = await signIn(app, b.id, 'owner');
    const apiCall = () => fetch(`${base}/api/timing/stats`, { headers: betaOwner.headers });
    const health = () => fetch(`${base}/health`);

    console.log(`replay flood: ${flood} anonymous screens on one link of a ${reads.toLocaleString('en-US')}-read session, ${SECONDS} s`);
    const quietApi = await sample(apiCall, 3000, 20);
    const quietHealth = await sample(health, 2000, 20);
    const replay = abuse({ kind: 'replay', base, link: 'Bench001', clients: flood, reads });
    await new Promise((r) => setTimeout(r, 1000));
    const [loudApi, loudHealth] = await Promise.all([sample(apiCall, (SECONDS - 2) * 1000, 20), sample(health, (SECONDS - 2) * 1000, 50)]);
    const replayed = await replay;
    console.log(`  signed-in GET /api/timing/stats, quiet:   ${stats(quietApi.ms)}`);
    console.log(`  signed-in GET /api/timing/stats, flooded: ${stats(loudApi.ms)}, failed ${loudApi.failed}`);
    console.log(`  GET /health, quiet:   ${stats(quietHealth.ms)}`);
    console.log(`  GET /health, flooded: ${stats(loudHealth.ms)}, failed ${loudHealth.failed}`);
    console.log(`  the flood was answered: ${JSON.stringify(replayed.statuses)} (${replayed.requests} stream requests)`);

    console.log(`password flood: ${abusers} signed-in viewers, wrong current passwords, ${SECONDS} s`);
    // One at a time: account creation hashes in the bounded 'other' lane too.
    const viewers: SignedIn[] = [];
    for (let i = 0; i < abusers; i++) viewers.push(await signIn(app, a.id, 'viewer'));
    const signers: string[] = [];
    for (let i = 0; i < 100; i++) {
      const email = `signer${i}@beta.test`;
      await app.accounts.users.create({ email, role: 'staff', partnerId: b.id, password: TEST_PASSWORD });
      signers.push(email);
    }
    let n = 0;
    const signInCall = () => {
      const i = n++;
      return fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.100.${i % 250}` },
        body: JSON.stringify({ email: signers[i % signers.length], password: TEST_PASSWORD }),
      });
    };
    const quietSignIn = await sample(signInCall, 3000, 50);
    const pw = abuse({ kind: 'password', base, abusers: viewers });
    await new Promise((r) => setTimeout(r, 500));
    const loudSignIn = await sample(signInCall, (SECONDS - 1.5) * 1000, 50);
    const pwResult = await pw;
    console.log(`  sign-in (another partner), quiet:   ${stats(quietSignIn.ms)}`);
    console.log(`  sign-in (another partner), flooded: ${stats(loudSignIn.ms)}, failed ${loudSignIn.failed}`);
    console.log(`  the abusers were answered: ${JSON.stringify(pwResult.statuses)} (${pwResult.requests} requests)`);
  } finally {
    await app.close();
    await db.close();
    await owner.close();
    await server.drop();
  }
}

await main();
