/**
 * bench/ingest-sql — the collector's batch INSERT alone, in variants, as the application role
 * (row-level security applies) on a fresh database: wall time and the backend's CPU per row,
 * against COPY of the same rows. Says which part of the statement costs what.
 *
 * Run: node --import tsx bench/ingest-sql.ts  (BENCH_DATABASE_URL; BENCH_ROWS, default 200000;
 *      BENCH_BATCH, default 5000; BENCH_VARIANTS, comma-separated names, default all)
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { numberArray, textArray } from '../src/db/array-literal.js';
import { openDatabase } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { createServerDatabase } from '../test/helpers/db.js';
import { copyIn, copyOut } from './copy.js';
import { cpuSeconds } from './proc-cpu.js';

const baseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const totalRows = Number(process.env.BENCH_ROWS ?? 200_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 5000);

const TARGET = `timing_reads (partner_id, session_id, location_id, stream_id, source_key, connection_log_id,
  sequence_number, location_name, tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)`;
const TYPES = ['int', 'int', 'int', 'int', 'text', 'uuid', 'int', 'text', 'text', 'text', 'float8', 'text', 'int', 'text', 'int', 'text', 'float8'];
const NAMES = ['partner_id', 'session_id', 'location_id', 'stream_id', 'source_key', 'conn_id', 'seq', 'loc', 'tag', 'kind', 'read_ms', 'time_text', 'lap', 'reader', 'gator', 'raw', 'received_ms'];
const SELECT_LIST = `partner_id, session_id, location_id, stream_id, source_key, conn_id, seq, loc, tag, kind,
  to_timestamp(read_ms / 1000.0), time_text, lap, reader, gator, raw, to_timestamp(received_ms / 1000.0)`;

interface Row {
  stream: number;
  conn: string;
  seq: number;
  loc: string;
  tag: string;
  readMs: number;
  timeText: string;
  raw: string;
}

type Variant = (client: pg.Client, rows: Row[]) => Promise<void>;

const fromUnnest = `FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) AS u(${NAMES.join(', ')})`;
const projectSet = `SELECT ${TYPES.map((t, i) => `unnest($${i + 1}::${t}[]) AS ${NAMES[i]}`).join(', ')}`;

function perRowParams(rows: Row[]): string[] {
  return [
    numberArray(rows.map(() => 1)),
    numberArray(rows.map(() => 1)),
    numberArray(rows.map((r) => r.stream)),
    numberArray(rows.map((r) => r.stream)),
    textArray(rows.map((r) => `conn:${r.conn}`)),
    textArray(rows.map((r) => r.conn)),
    numberArray(rows.map((r) => r.seq)),
    textArray(rows.map((r) => r.loc)),
    textArray(rows.map((r) => r.tag)),
    textArray(rows.map(() => 'tag')),
    numberArray(rows.map((r) => r.readMs)),
    textArray(rows.map((r) => r.timeText)),
    numberArray(rows.map(() => 1)),
    textArray(rows.map(() => '1')),
    numberArray(rows.map(() => 0)),
    textArray(rows.map((r) => r.raw)),
    numberArray(rows.map((r) => r.readMs)),
  ];
}

const insert = (tail: string, source = `SELECT ${SELECT_LIST} ${fromUnnest}`): Variant =>
  async (client, rows) => {
    await client.query(`INSERT INTO ${TARGET} ${source} ${tail}`, perRowParams(rows));
  };
const CONFLICT = 'ON CONFLICT (stream_id, sequence_number, partner_id) DO NOTHING';
const RETURNING = 'RETURNING id, stream_id, sequence_number';

/** Columns the same for a whole stream sent once per stream; rows carry the stream's index. */
const grouped = (tail: string): Variant => async (client, rows) => {
  const index = new Map<number, number>();
  const streams: Row[] = [];
  const gi = rows.map((r) => {
    let i = index.get(r.stream);
    if (i === undefined) {
      index.set(r.stream, (i = streams.length + 1));
      streams.push(r);
    }
    return i;
  });
  await client.query(
    `INSERT INTO ${TARGET}
     SELECT ($11::int[])[gi], ($12::int[])[gi], ($13::int[])[gi], ($14::int[])[gi], ($15::text[])[gi], ($16::uuid[])[gi], seq,
            ($17::text[])[gi], tag, kind, to_timestamp(read_ms / 1000.0), time_text, lap, reader, gator, raw, to_timestamp(received_ms / 1000.0)
       FROM (SELECT unnest($1::int[]) AS gi, unnest($2::int[]) AS seq, unnest($3::text[]) AS tag, unnest($4::text[]) AS kind,
                    unnest($5::float8[]) AS read_ms, unnest($6::text[]) AS time_text, unnest($7::int[]) AS lap, unnest($8::text[]) AS reader,
                    unnest($9::int[]) AS gator, unnest($10::text[]) AS raw, unnest($18::float8[]) AS received_ms) u
     ${tail}`,
    [
      numberArray(gi),
      numberArray(rows.map((r) => r.seq)),
      textArray(rows.map((r) => r.tag)),
      textArray(rows.map(() => 'tag')),
      numberArray(rows.map((r) => r.readMs)),
      textArray(rows.map((r) => r.timeText)),
      numberArray(rows.map(() => 1)),
      textArray(rows.map(() => '1')),
      numberArray(rows.map(() => 0)),
      textArray(rows.map((r) => r.raw)),
      numberArray(streams.map(() => 1)),
      numberArray(streams.map(() => 1)),
      numberArray(streams.map((r) => r.stream)),
      numberArray(streams.map((r) => r.stream)),
      textArray(streams.map((r) => `conn:${r.conn}`)),
      textArray(streams.map((r) => r.conn)),
      textArray(streams.map((r) => r.loc)),
      numberArray(rows.map((r) => r.readMs)),
    ],
  );
};

const variants: Record<string, Variant> = {
  current: insert(`${CONFLICT} ${RETURNING}`),
  projectset: insert(`${CONFLICT} ${RETURNING}`, `SELECT ${SELECT_LIST} FROM (${projectSet}) u`),
  no_returning: insert(CONFLICT),
  no_conflict: insert(RETURNING),
  neither: insert(''),
  grouped: grouped(`${CONFLICT} ${RETURNING}`),
  grouped_no_conflict: grouped(RETURNING),
  grouped_neither: grouped(''),
};

async function main(): Promise<void> {
  const server = await createServerDatabase(baseUrl);
  const owner = await openDatabase({ url: server.url });
  await migrate(owner);
  await owner.close();
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    const rows = makeRows(totalRows);
    const wanted = process.env.BENCH_VARIANTS?.split(',') ?? Object.keys(variants);
    const app = new pg.Client({ connectionString: server.url, options: '-c role=p88_app' });
    await app.connect();
    const appPid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const su = new pg.Client({ connectionString: server.url });
    await su.connect();
    const suPid = (await su.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const runs: Array<{ name: string; client: pg.Client; pid: number; variant: Variant }> = [];
    for (const name of wanted) {
      runs.push({ name, client: app, pid: appPid, variant: variants[name]! });
      if (name === 'current') runs.push({ name: 'current, superuser (no RLS)', client: su, pid: suPid, variant: variants[name]! });
    }
    console.log(`bench/ingest-sql: ${totalRows} rows in batches of ${batchSize}`);
    for (let round = 0; round < Number(process.env.BENCH_ROUNDS ?? 3); round++) {
      for (const { name, client, pid, variant } of runs) {
        await admin.query('TRUNCATE timing_reads');
        await admin.query('CHECKPOINT');
        const cpu0 = cpuSeconds(pid)!;
        const t0 = performance.now();
        for (let i = 0; i < rows.length; i += batchSize) {
          await client.query(`BEGIN; SET LOCAL app.partner_id = 1`);
          await variant(client, rows.slice(i, i + batchSize));
          await client.query('COMMIT');
        }
        const seconds = (performance.now() - t0) / 1000;
        const cpu = cpuSeconds(pid)! - cpu0;
        const n = Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM timing_reads')).rows[0]!.n);
        if (n !== rows.length) throw new Error(`${name}: ${n} rows stored`);
        console.log(`  ${name.padEnd(30)} ${Math.round(rows.length / seconds).toLocaleString('en-US').padStart(8)} rows/s  backend ${((cpu / rows.length) * 1e6).toFixed(1)} µs/row`);
      }
      const chunks = await copyOut(admin, `SELECT ${COPY_COLUMNS} FROM timing_reads ORDER BY id`);
      const copyPid = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await admin.query('TRUNCATE timing_reads');
      await admin.query('CHECKPOINT');
      const c0 = cpuSeconds(copyPid)!;
      const s = await copyIn(admin, 'timing_reads', COPY_COLUMNS, chunks);
      console.log(`  ${'COPY'.padEnd(30)} ${Math.round(rows.length / s).toLocaleString('en-US').padStart(8)} rows/s  backend ${(((cpuSeconds(copyPid)! - c0) / rows.length) * 1e6).toFixed(1)} µs/row`);
    }
    await app.end();
    await su.end();
  } finally {
    await admin.end();
    await server.drop();
  }
}

const COPY_COLUMNS = `id, partner_id, session_id, location_id, stream_id, source_key, connection_log_id, sequence_number, location_name,
  tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at`;

/** Rows like a flood's: 10 connections × 4 locations, sequences rising per stream, in runs of 50. */
function makeRows(n: number): Row[] {
  const conns = Array.from({ length: 10 }, () => randomUUID());
  const locs = ['start', '10k', 'half', 'finish'];
  const seqs = new Array(40).fill(0);
  const rows: Row[] = [];
  const t = Date.UTC(2026, 11, 7, 8);
  for (let i = 0; rows.length < n; i++) {
    const stream = (i % 40) + 1;
    for (let k = 0; k < 50 && rows.length < n; k++) {
      const seq = ++seqs[stream - 1];
      const tag = String(10_000 + ((seq * 7) % 5000));
      const readMs = t + rows.length * 3;
      const timeText = new Date(readMs).toISOString().slice(11, 22);
      rows.push({
        stream,
        conn: conns[(stream - 1) % 10]!,
        seq,
        loc: locs[Math.floor((stream - 1) / 10)]!,
        tag,
        readMs,
        timeText,
        raw: `${locs[Math.floor((stream - 1) / 10)]}~${seq}~${tag}~${timeText}~1~0F2A38~1`,
      });
    }
  }
  return rows;
}

await main();
