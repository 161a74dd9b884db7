/** A loopback Haku serving the guessed API of guessed-shapes.ts: bearer auth, page-numbered lists with meta, updated_since. */
import { pageOf, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';
import type { HakuEvent, HakuRegistration, HakuResult } from './guessed-shapes.js';

export interface FakeHakuEvent {
  event: HakuEvent;
  registrations: HakuRegistration[];
  results: HakuResult[];
}

export interface FakeHaku extends FakeServer {
  baseUrl: string;
}

export async function startFakeHaku(opts: { token: string; organizationId: string; events: FakeHakuEvent[] }): Promise<FakeHaku> {
  const list = <T>(rows: T[], req: FakeRequest): FakeResponse => {
    const page = Math.max(1, Number(req.query.get('page') ?? 1));
    const per = Math.min(200, Number(req.query.get('per_page') ?? 50));
    return { body: { data: pageOf(rows, page, per), meta: { page, per_page: per, total_pages: Math.max(1, Math.ceil(rows.length / per)), total: rows.length } } };
  };
  const handler = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) return { status: 401, body: { error: 'unauthorized' } };
    const p = req.path.replace(/^\/v1/, '');
    if (p === `/organizations/${opts.organizationId}/events`) return list(opts.events.map((e) => e.event), req);
    const m = /^\/events\/([^/]+)(?:\/(registrations|results))?$/.exec(p);
    const e = m ? opts.events.find((x) => String(x.event.id) === m[1]) : undefined;
    if (!m || !e) return { status: 404, body: { error: 'not found' } };
    if (!m[2]) return { body: { data: e.event } };
    const race = req.query.get('race_id');
    if (m[2] === 'results') return list(e.results.filter((r) => !race || String(r.race_id) === race), req);
    const since = req.query.get('updated_since');
    return list(e.registrations.filter((r) => (!race || String(r.race_id) === race) && (!since || Date.parse(r.updated_at ?? '') >= Date.parse(since))), req);
  };
  const server = await startFakeServer(handler);
  return Object.assign(server, { baseUrl: `${server.origin}/v1` });
}
