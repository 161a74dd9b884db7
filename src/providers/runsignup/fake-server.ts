/**
 * A loopback RunSignUp for tests and benchmarks. Documented shapes (shared/spec/providers.md):
 * `format=json` required (XML otherwise), errors as HTTP 200 `{"error":…}`, "T"/"F" booleans,
 * money as strings, participants as a top-level array of `{event, participants}`, ≤ 2,500 a
 * page, `modified_after_timestamp` inclusive; results by result set with `split-<id>` columns.
 * What is guessed (error codes, the full-results body and answer) is in guessed-shapes.ts.
 */
import { startFakeServer, pageOf, type FakeServer, type FakeRequest, type FakeResponse } from '../fake-http.js';
import type { FullResultRow } from './guessed-shapes.js';

export interface FakeRsuEvent {
  event_id: number;
  name: string;
  start_time: string;
  distance: string;
  registration_periods?: Record<string, unknown>[];
  participants: Record<string, unknown>[];
  result_sets: { individual_result_set_id: number; individual_result_set_name: string; results_headers: Record<string, string>; results: Record<string, unknown>[] }[];
}
export interface FakeRsuRace {
  race_id: number;
  name: string;
  next_date: string;
  timezone: string;
  is_draft_race?: 'T' | 'F';
  is_registration_open?: 'T' | 'F';
  address: Record<string, string>;
  events: FakeRsuEvent[];
}

export interface FakeRunSignUp extends FakeServer {
  baseUrl: string;
  races: FakeRsuRace[];
  /** Rows posted to full-results, per result set id. */
  posted: Map<string, FullResultRow[]>;
}

export async function startFakeRunSignUp(opts: { apiKey: string; apiSecret: string; races: FakeRsuRace[] }): Promise<FakeRunSignUp> {
  const posted = new Map<string, FullResultRow[]>();
  const err = (code: number, msg: string): FakeResponse => ({ status: 200, body: { error: { error_code: code, error_msg: msg } } });
  const handler = (req: FakeRequest): FakeResponse => {
    const q = req.query;
    const key = q.get('rsu_api_key') ?? q.get('api_key');
    const secret = req.headers['x-rsu-api-secret'] ?? q.get('api_secret');
    if (key !== opts.apiKey || secret !== opts.apiSecret) return err(6, 'Invalid API key or secret.');
    if (q.get('format') !== 'json') return { text: '<?xml version="1.0"?><races/>', headers: { 'content-type': 'application/xml' } };
    const path = req.path.replace(/^\/Rest/, '');
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const perPage = Number(q.get('results_per_page') ?? 50);
    if (path === '/races') {
      const events = q.get('events') === 'T';
      const rows = pageOf(opts.races, page, Math.min(perPage, 1000)).map((r) => ({ race: raceBody(r, events) }));
      return { body: { races: rows } };
    }
    const m = /^\/race\/(\d+)(\/.*)?$/.exec(path);
    const race = m ? opts.races.find((r) => String(r.race_id) === m[1]) : undefined;
    if (!m || !race) return err(201, 'Race not found.');
    const sub = m[2] ?? '';
    const event = race.events.find((e) => String(e.event_id) === q.get('event_id'));
    if (sub === '') return { body: { race: raceBody(race, true) } };
    if (sub === '/participants') {
      if (perPage > 2500) return err(1, 'results_per_page must be at most 2500.');
      const since = q.get('modified_after_timestamp');
      const evs = event ? [event] : race.events;
      return {
        body: evs.map((e) => {
          let rows = [...e.participants].sort((a, b) => Number(a.registration_id) - Number(b.registration_id));
          // "On or after": inclusive.
          if (since !== null) rows = rows.filter((p) => Number(p.last_modified) >= Number(since));
          return { event: { event_id: e.event_id, name: e.name }, participants: pageOf(rows, page, perPage) };
        }),
      };
    }
    if (!event) return err(202, 'Event not found.');
    if (sub === '/results/get-result-sets') {
      return { body: { individual_results_sets: event.result_sets.map((s) => ({ individual_result_set_id: s.individual_result_set_id, individual_result_set_name: s.individual_result_set_name })) } };
    }
    const set = event.result_sets.find((s) => String(s.individual_result_set_id) === q.get('individual_result_set_id'));
    if (!set) return err(203, 'Result set not found.');
    if (sub === '/results/get-results') {
      return { body: { individual_results_sets: [{ ...set, results: pageOf(set.results, page, perPage) }] } };
    }
    if (sub === '/results/full-results' && req.method === 'POST') {
      const rows = (req.json as { results?: FullResultRow[] } | undefined)?.results;
      if (!Array.isArray(rows)) return err(1, 'No results given.');
      const before = posted.get(String(set.individual_result_set_id)) ?? [];
      posted.set(String(set.individual_result_set_id), [...before, ...rows]);
      return { body: { num_results_created: rows.length, num_results_updated: 0 } };
    }
    return { status: 404, body: { error: 'no such endpoint' } };
  };
  const server = await startFakeServer(handler);
  return Object.assign(server, { baseUrl: `${server.origin}/Rest`, races: opts.races, posted });
}

function raceBody(r: FakeRsuRace, events: boolean): Record<string, unknown> {
  const { events: evs, ...race } = r;
  return {
    ...race,
    is_draft_race: r.is_draft_race ?? 'F',
    is_registration_open: r.is_registration_open ?? 'T',
    ...(events ? { events: evs.map(({ participants: _p, result_sets: _r, ...e }) => ({ registration_periods: [], ...e })) } : {}),
  };
}

/** `n` RunSignUp participants with ids from `idBase`, last_modified `modified`. */
export function fakeRsuParticipants(n: number, opts: { idBase?: number; modified?: number } = {}): Record<string, unknown>[] {
  const idBase = opts.idBase ?? 1000;
  return Array.from({ length: n }, (_, i) => ({
    registration_id: idBase + i,
    bib_num: String(i + 1),
    chip_num: `C${i + 1}`,
    age: 20 + (i % 50),
    registration_date: '9/7/2021 15:15',
    last_modified: opts.modified ?? 1_700_000_000,
    team_name: i % 7 === 0 ? 'Harriers' : null,
    amount_paid: '$55.00',
    user: {
      first_name: `First${i}`,
      last_name: `Last${i}`,
      email: `r${i}@example.com`,
      dob: '1986-01-06',
      gender: i % 3 === 0 ? 'F' : i % 3 === 1 ? 'M' : 'X',
      address: { city: 'Boise', state: 'ID', country_code: 'US' },
    },
  }));
}
