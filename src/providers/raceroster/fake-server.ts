/**
 * A loopback Race Roster: the OAuth endpoint (password grant and refresh; token answers
 * wrapped in {"data":[…]} when `wrapTokens`), the v1 API behind bearer tokens with
 * `{data, metadata}` envelopes and offset/limit paging, and the public results API, on one
 * origin. Row shapes marked [guess] in the spec are those of guessed-shapes.ts.
 */
import { randomBytes } from 'node:crypto';
import { pageOf, startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';

export interface FakeRrEvent {
  event: Record<string, unknown>;
  participants: Record<string, unknown>[];
  /** Public results per sub-event id. */
  results?: Record<string, Record<string, unknown>[]>;
}

export interface FakeRaceRoster extends FakeServer {
  baseUrl: string;
  resultsBaseUrl: string;
  /** Wrap token answers in {"data":[…]}. */
  wrapTokens: boolean;
  /** Seconds an access token lives. */
  expiresIn: number;
  /** Makes every access token issued so far invalid (as if it expired early). */
  revokeAccessTokens(): void;
  /** Refresh tokens stop working (the next renewal must be a new grant). */
  revokeRefreshTokens(): void;
}

export async function startFakeRaceRoster(opts: { clientId: string; clientSecret: string; username: string; password: string; events: FakeRrEvent[] }): Promise<FakeRaceRoster> {
  const access = new Set<string>();
  const refresh = new Set<string>();
  // eslint-disable-next-line prefer-const -- assigned once the server is up; the handler reads it later
  let fake: FakeRaceRoster;
  const issue = (): FakeResponse => {
    const t = { access_token: `at-${randomBytes(6).toString('hex')}`, token_type: 'Bearer', expires_in: fake.expiresIn, refresh_token: `rt-${randomBytes(6).toString('hex')}` };
    access.add(t.access_token);
    refresh.add(t.refresh_token);
    return { body: fake.wrapTokens ? { data: [t] } : t };
  };
  const handler = (req: FakeRequest): FakeResponse => {
    if (req.path === '/api/oauth/authorize' && req.method === 'POST') {
      const f = req.form ?? new URLSearchParams();
      if (f.get('client_id') !== opts.clientId || f.get('client_secret') !== opts.clientSecret) return { status: 401, body: { error: 'invalid_client' } };
      if (f.get('grant_type') === 'access_token') {
        if (f.get('username') !== opts.username || f.get('password') !== opts.password) return { status: 401, body: { error: 'invalid_grant' } };
        return issue();
      }
      if (f.get('grant_type') === 'refresh_token') {
        const r = f.get('refresh_token') ?? '';
        if (!refresh.delete(r)) return { status: 400, body: { error: 'invalid_grant' } };
        return issue();
      }
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (req.path.startsWith('/v2/api/')) {
      const p = req.path.slice('/v2/api'.length);
      let m = /^\/events\/([^/]+)$/.exec(p);
      if (m) {
        const e = opts.events.find((x) => String(x.event.eventId) === m![1] || x.event.resultsCode === m![1]);
        if (!e) return { status: 404, body: { error: 'not found' } };
        const subs = (e.event.subEvents as { data: Record<string, unknown>[] }).data;
        return { body: { data: { name: e.event.name, subEvents: subs.map((s) => ({ subEventId: s.subEventId, name: s.name, resultEventId: 7000 + Number(s.subEventId) })) } } };
      }
      m = /^\/result-events\/(\d+)\/sub-events\/(\d+)\/results$/.exec(p);
      if (m) {
        const e = opts.events.find((x) => x.results?.[m![2]!]);
        const rows = e?.results?.[m[2]!] ?? [];
        const start = Number(req.query.get('start') ?? 0);
        const limit = Math.min(1000, Number(req.query.get('limit') ?? 100));
        return { body: { data: rows.slice(start, start + limit) } };
      }
      return { status: 404, body: { error: 'not found' } };
    }
    const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!token || !access.has(token)) return { status: 401, body: { error: 'Unauthenticated.' } };
    const p = req.path.replace(/^\/api\/v1/, '');
    const offset = Number(req.query.get('offset') ?? 0);
    const limit = Math.min(500, Number(req.query.get('limit') ?? 20));
    if (p === '/events') {
      const rows = opts.events.map((e) => e.event).slice(offset, offset + limit);
      return { body: { data: rows, metadata: { offset, limit, totalCount: opts.events.length } } };
    }
    const m = /^\/events\/([^/]+)(\/participants)?$/.exec(p);
    const e = m ? opts.events.find((x) => String(x.event.eventId) === m[1]) : undefined;
    if (!m || !e) return { status: 404, body: { error: 'Not found.' } };
    if (!m[2]) return { body: { data: e.event } };
    const sub = req.query.get('subEventId');
    const all = sub ? e.participants.filter((x) => String(x.subEventId) === sub) : e.participants;
    return { body: { data: pageOf(all, Math.floor(offset / limit) + 1, limit), metadata: { offset, limit, totalCount: all.length } } };
  };
  const server = await startFakeServer(handler);
  fake = Object.assign(server, {
    baseUrl: `${server.origin}/api/v1`,
    resultsBaseUrl: `${server.origin}/v2/api`,
    wrapTokens: false,
    expiresIn: 3600,
    revokeAccessTokens: () => access.clear(),
    revokeRefreshTokens: () => refresh.clear(),
  });
  return fake;
}
