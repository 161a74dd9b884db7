/**
 * A loopback ChronoTrack Live for tests. It reproduces the shapes of shared/spec/providers.md:
 * simple auth on every request (client_id, user_id, user_pass = SHA-1 hex), `format=json`,
 * the `event` and `event_entry` envelopes, 1-based paging with the X-Ctlive-* headers, numbers
 * as strings. Marked [guess] below: what CTLive's error bodies look like (a JSON 401 body and
 * an HTML error page), which no source documents; the client only relies on the status code
 * and on recognizing HTML.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha1Hex } from './client.js';
import type { CtPushRow } from './guessed-shapes.js';

export interface FakeCtEvent {
  event_id: string;
  event_name: string;
  /** Extra event fields (guessed-shapes.ts EVENT_FIELDS). */
  extra?: Record<string, string>;
  entries: Record<string, unknown>[];
  races?: Record<string, unknown>[];
  waves?: Record<string, unknown>[];
  /** One row per athlete and interval, numbers as strings. */
  results?: Record<string, unknown>[];
}

function eventBody(e: FakeCtEvent): Record<string, unknown> {
  return { event_id: e.event_id, event_name: e.event_name, event_start_time: '1767168000', ...e.extra };
}

export interface FakeChronoTrackOptions {
  clientId: string;
  userId: string;
  password: string;
  events: FakeCtEvent[];
  /** Answer this many of the next requests with `failStatus` (default 503) before serving. */
  failNext?: number;
  failStatus?: number;
  /** Events whose requests get an HTML error page [guess] with this status (default 200). */
  htmlEventIds?: string[];
  htmlStatus?: number;
  /** Largest page size served (CTLive: 100 for entries). */
  maxPageSize?: number;
  /** This entry page always answers 500 (a failure part-way through a roster). */
  failEntryPage?: number;
  /** Send the X-Ctlive-* paging headers (default true). */
  pagingHeaders?: boolean;
  /** Wait this long before answering (timeouts; a slow provider for progress bars). */
  delayMs?: number;
  /**
   * Awaited before an entry page is answered: a test holds a page back until it has seen the
   * progress so far (deterministic, unlike a delay).
   */
  beforeEntryPage?: (page: number) => Promise<void> | void;
}

export interface FakeChronoTrack {
  /** Base URL to configure the client with, e.g. http://127.0.0.1:41234/api */
  baseUrl: string;
  /** Every request received, in order (path and query). */
  requests: { path: string; query: URLSearchParams }[];
  /** Result rows posted back, with the race they were posted to. */
  pushed: { raceId: string; row: CtPushRow }[];
  /** Mutable: tests change failures or data between calls. */
  options: FakeChronoTrackOptions;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  json(res, status, body, headers);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

export async function startFakeChronoTrack(options: FakeChronoTrackOptions): Promise<FakeChronoTrack> {
  const requests: FakeChronoTrack['requests'] = [];
  const state: FakeChronoTrack = { baseUrl: '', requests, pushed: [], options, close: async () => {} };

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const q = url.searchParams;
    requests.push({ path: url.pathname, query: q });
    const o = state.options;
    if ((o.failNext ?? 0) > 0) {
      o.failNext = (o.failNext ?? 0) - 1;
      return json(res, o.failStatus ?? 503, { error: 'Service temporarily unavailable' }, { 'retry-after': '0' });
    }
    const auth = q.get('client_id') === o.clientId && q.get('user_id') === o.userId && q.get('user_pass') === sha1Hex(o.password);
    // [guess] CTLive's body for bad credentials; the client relies on the 401 only.
    if (!auth) return json(res, 401, { status: 'error', code: 401, message: 'Invalid client_id, user_id or user_pass' });
    if (q.get('format') !== 'json') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return void res.end('<?xml version="1.0"?><error>format=json expected</error>');
    }
    if (url.pathname === '/api/event' && req.method === 'GET') {
      return json(res, 200, { event: o.events.map((e) => eventBody(e)) });
    }
    const m = /^\/api\/(event|race)\/([^/]+)(?:\/(entry|race|wave|results))?$/.exec(url.pathname);
    if (!m) return json(res, 404, { status: 'error', message: 'Not found' });
    const id = decodeURIComponent(m[2]!);
    if (o.htmlEventIds?.includes(id)) {
      // [guess] the HTML error page some CTLive errors return instead of JSON.
      res.writeHead(o.htmlStatus ?? 200, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end('<!DOCTYPE html><html><head><title>ChronoTrack - Error</title></head><body><h1>An error occurred</h1><p>Please try again later.</p></body></html>');
    }
    const byRace = m[1] === 'race';
    const event = byRace ? o.events.find((e) => (e.races ?? []).some((r) => String(r.race_id) === id)) : o.events.find((e) => e.event_id === id);
    if (!event) return json(res, 404, { status: 'error', message: `${byRace ? 'Race' : 'Event'} ${id} not found` });
    const sub = m[3];
    if (req.method === 'POST' && byRace && sub === 'results') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const rows = (JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { race_results?: CtPushRow[] }).race_results ?? [];
        state.pushed.push(...rows.map((r) => ({ raceId: id, row: r })));
        send(res, 200, { results_created: String(rows.length), results_updated: '0' });
      });
      return;
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
    if (!sub) return json(res, 200, { event: eventBody(event) });
    if (sub === 'race') return json(res, 200, { event_race: event.races ?? [] });
    if (sub === 'wave') return json(res, 200, { event_wave: event.waves ?? [] });
    if (sub === 'results') {
      let rows = (event.results ?? []).filter((r) => !byRace || String(r.results_race_id) === id);
      // bracket=SEX|AGE: ranks within the athlete's sex or age bracket.
      const bracket = q.get('bracket');
      if (bracket === 'SEX' || bracket === 'AGE') {
        const key = bracket === 'SEX' ? 'results_sex' : 'results_primary_bracket_name';
        const seen = new Map<string, number>();
        rows = rows.map((r) => {
          if (r.results_interval_name !== 'Full Course' || !/^\d/.test(String(r.results_time))) return { ...r, results_rank: '' };
          const k = `${String(r.results_race_id)}|${String(r[key])}`;
          const n = (seen.get(k) ?? 0) + 1;
          seen.set(k, n);
          return { ...r, results_rank: String(n) };
        });
      }
      return paged(res, q, byRace ? 'race_results' : 'event_results', rows, 100);
    }
    const entries = byRace ? event.entries.filter((e) => String(e.race_id) === id) : event.entries;
    if (Number(q.get('page') ?? 1) === o.failEntryPage) return json(res, 500, { error: 'Internal error' });
    const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
    const answer = () => paged(res, q, byRace ? 'race_entry' : 'event_entry', entries, o.maxPageSize ?? 100);
    if (o.beforeEntryPage) {
      Promise.resolve(o.beforeEntryPage(page)).then(answer, () => send(res, 500, { error: 'Internal error' }));
    } else {
      answer();
    }
  }

  function paged(res: ServerResponse, q: URLSearchParams, key: string, all: Record<string, unknown>[], maxSize: number): void {
    const size = Math.min(maxSize, Math.max(1, Number(q.get('size') ?? 25) || 25));
    const page = Math.max(1, Number(q.get('page') ?? 1) || 1);
    const total = all.length;
    const rows = all.slice((page - 1) * size, page * size);
    const paging = {
      'X-Ctlive-Page-Count': String(Math.max(1, Math.ceil(total / size))),
      'X-Ctlive-Row-Count': String(total),
      'X-Ctlive-Page-Size': String(size),
      'X-Ctlive-Current-Page': String(page),
    };
    send(res, 200, { [key]: rows }, state.options.pagingHeaders === false ? {} : paging);
  }

  const server = createServer((req, res) => {
    const delay = state.options.delayMs ?? 0;
    if (delay > 0) setTimeout(() => handle(req, res), delay);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}/api`;
  state.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return state;
}

/** `n` entries shaped like CTLive's: ids and numbers as strings. */
export function fakeEntries(n: number, opts: { idBase?: number; bibBase?: number } = {}): Record<string, unknown>[] {
  const idBase = opts.idBase ?? 9_000_000;
  const bibBase = opts.bibBase ?? 1;
  return Array.from({ length: n }, (_, i) => ({
    entry_id: String(idBase + i),
    entry_bib: String(bibBase + i),
    entry_name: `Runner${i} Test`,
    entry_type: 'IND',
    entry_status: 'ACTIVE',
    entry_race_age: String(20 + (i % 50)),
    athlete_id: String(500_000 + i),
    athlete_first_name: `Runner${i}`,
    athlete_last_name: 'Test',
    athlete_sex: i % 2 === 0 ? 'F' : 'M',
    athlete_birthdate: '1990-01-01',
    location_city: 'Boise',
    location_region: 'ID',
    location_country: 'USA',
    bracket_name: i % 2 === 0 ? 'F 20-29' : 'M 20-29',
    race_name: 'Half Marathon',
    reg_choice_name: 'Half Marathon - Early',
    wave_name: `Wave ${1 + (i % 3)}`,
    team_name: i % 5 === 0 ? 'Blue Crew' : '',
  }));
}
