/**
 * CTP01 codec micro-benchmark: LineSplitter + parseClientLine over ~1M CT01_33 lines pushed
 * in 64 KiB chunks, beside a naive baseline measured in the same run (string split on CRLF
 * and `~`, no validation, no time parsing). Prints lines/s, MB/s and the ratio.
 *
 *   node --import tsx bench/codec.ts            (npm run bench:codec)
 *   node --import tsx bench/codec.ts 200000     fewer lines, for a quick look
 */
import { LineSplitter, parseClientLine, type TimeFormat } from '../src/ctp01/index.js';

const LINES = Number(process.argv[2] ?? 1_000_000);
const CHUNK = 64 * 1024;
const MAX_ROUNDS = 3;
/** Stop starting rounds after this long, so a loaded machine still finishes in ~20 s. */
const BUDGET_S = 10;
/** The format our server greeting negotiates; the parser is told it, as the collector will. */
const TIME_FORMAT: TimeFormat = 'iso';

/** A race-like stream: four mats, bibs read repeatedly, times advancing in hundredths. */
function makeWire(lines: number): Buffer {
  const locations = ['start', 'km10', 'halfway', 'finish'];
  const seq = [0, 0, 0, 0];
  const two = (n: number) => String(n).padStart(2, '0');
  let cs = 8 * 360_000; // hundredths since midnight
  let x = 12345;
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    const loc = x % 4;
    const n = (seq[loc] = ((seq[loc] ?? 0) % 999_999) + 1);
    cs += (x >>> 8) % 50;
    const s = Math.floor(cs / 100);
    const time = `2026-04-19T${two(Math.floor(s / 3600) % 24)}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}.${two(cs % 100)}`;
    const tag = 1 + ((x >>> 4) % 20_000);
    out.push(`CT01_33~${n}~${locations[loc]}~${tag}~${time}~${(x >>> 12) % 3}~0F2A38~${(x >>> 16) % 8}\r\n`);
  }
  return Buffer.from(out.join(''), 'latin1');
}

function chunk(buf: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += CHUNK) chunks.push(buf.subarray(i, i + CHUNK));
  return chunks;
}

/** Returns a checksum so no work can be optimised away, and lets the caller verify the count. */
type Pass = (chunks: Buffer[]) => { lines: number; check: number };

const codec: Pass = (chunks) => {
  let lines = 0;
  let check = 0;
  const splitter = new LineSplitter({
    line(text) {
      const m = parseClientLine(text, TIME_FORMAT);
      if (m.type === 'tag') {
        lines++;
        check = (check + m.sequence + m.gator + m.time.ms) % 1_000_000_007;
      }
    },
    overlong() {
      throw new Error('unexpected overlong line');
    },
  });
  for (const c of chunks) splitter.push(c);
  return { lines, check };
};

const splitterOnly: Pass = (chunks) => {
  let lines = 0;
  let check = 0;
  const splitter = new LineSplitter({
    line(text) {
      lines++;
      check = (check + text.length) % 1_000_000_007;
    },
    overlong() {},
  });
  for (const c of chunks) splitter.push(c);
  return { lines, check };
};

/** What a quick hand-rolled reader would do: no limits, no validation, no typed fields. */
const baseline: Pass = (chunks) => {
  let lines = 0;
  let check = 0;
  let carry = '';
  for (const c of chunks) {
    const parts = (carry + c.toString()).split('\r\n');
    carry = parts.pop() ?? '';
    for (const p of parts) {
      const f = p.split('~');
      if (f.length === 8) {
        lines++;
        check = (check + (f[1]?.length ?? 0)) % 1_000_000_007;
      }
    }
  }
  return { lines, check };
};

const wire = makeWire(LINES);
const chunks = chunk(wire);
const mb = wire.length / 1e6;
const passes: Array<[string, Pass]> = [
  ['baseline: toString().split(CRLF) + split(~)', baseline],
  ['LineSplitter only', splitterOnly],
  ['LineSplitter + parseClientLine', codec],
];

// Warm up every pass on a slice so the JIT has settled before anything is timed.
const warm = chunks.slice(0, Math.max(1, Math.floor(chunks.length / 10)));
for (const [, pass] of passes) for (let i = 0; i < 2; i++) pass(warm);

const times = new Map<string, number[]>(passes.map(([name]) => [name, []]));
const started = process.hrtime.bigint();
let rounds = 0;
while (rounds < MAX_ROUNDS && (rounds === 0 || Number(process.hrtime.bigint() - started) / 1e9 < BUDGET_S)) {
  rounds++;
  // Interleaved, so drift in machine load hits all passes alike.
  for (const [name, pass] of passes) {
    const t0 = process.hrtime.bigint();
    const { lines } = pass(chunks);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (lines !== LINES) throw new Error(`${name} saw ${lines} lines, expected ${LINES}`);
    times.get(name)?.push(s);
  }
}

console.log(`CTP01 codec: ${LINES.toLocaleString('en')} CT01_33 lines, ${mb.toFixed(1)} MB, ${CHUNK / 1024} KiB chunks, ` +
  `time-format=${TIME_FORMAT}, best of ${rounds} (node ${process.version})`);
const rows = passes.map(([name]) => {
  // Best, not mean: on a shared machine the fastest round is the least disturbed one.
  const s = Math.min(...(times.get(name) ?? []));
  return { name, s, linesPerS: LINES / s, mbPerS: mb / s };
});
const base = rows[0];
for (const row of rows) {
  const ratio = base ? row.linesPerS / base.linesPerS : NaN;
  console.log(
    `  ${row.name.padEnd(46)} ${(row.linesPerS / 1e6).toFixed(2).padStart(6)} M lines/s ` +
      `${row.mbPerS.toFixed(0).padStart(5)} MB/s  ${ratio.toFixed(2)}x baseline`,
  );
}
