/**
 * A loopback Copernico: x-api-key auth, GET /{slug} with its events [guess], presets answering
 * {data:[flattened runners]} [seen/guess: guessed-shapes.ts], and its quirk: strings served
 * double-encoded (UTF-8 bytes read as Latin-1 and encoded again, `mangle` times).
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';

export interface FakeCopRace {
  slug: string;
  race: Record<string, unknown>;
  /** Rows per preset name ("login:::preset") and event id. */
  presets: Record<string, Record<string, Record<string, unknown>[]>>;
}

export interface FakeCopernico extends FakeServer {
  baseUrl: string;
  /** How many times strings are re-encoded (0 = clean, 1 = "JosÃ©", 2 = double). */
  mangle: number;
}

/** UTF-8 read as Latin-1, `times` times. */
export function mojibake(s: string, times: number): string {
  let out = s;
  for (let i = 0; i < times; i++) out = Buffer.from(out, 'utf8').toString('latin1');
  return out;
}

function mangleDeep(v: unknown, times: number): unknown {
  if (typeof v === 'string') return mojibake(v, times);
  if (Array.isArray(v)) return v.map((x) => mangleDeep(x, times));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mangleDeep(x, times)]));
  return v;
}

export async function startFakeCopernico(opts: { apiKey: string; races: FakeCopRace[] }): Promise<FakeCopernico> {
  // eslint-disable-next-line prefer-const -- assigned once the server is up; the handler reads it later
  let fake: FakeCopernico;
  const handler = (req: FakeRequest): FakeResponse => {
    if (req.headers['x-api-key'] !== opts.apiKey) return { status: 403, body: { message: 'Forbidden' } };
    const parts = req.path.replace(/^\/api\/races/, '').split('/').filter(Boolean).map(decodeURIComponent);
    const race = opts.races.find((r) => r.slug === parts[0]);
    if (!race) return { status: 404, body: { message: 'Race not found' } };
    if (parts.length === 1) return { body: mangleDeep(race.race, fake.mangle) };
    if (parts[1] === 'preset' && parts.length === 4) {
      const rows = race.presets[parts[2]!]?.[parts[3]!];
      if (!rows) return { status: 404, body: { message: 'Preset not found' } };
      return { body: { data: mangleDeep(rows, fake.mangle) } };
    }
    return { status: 404, body: { message: 'Not found' } };
  };
  const server = await startFakeServer(handler);
  fake = Object.assign(server, { baseUrl: `${server.origin}/api/races`, mangle: 2 });
  return fake;
}
