/**
 * A loopback ACTIVE.com: the public search (`api_key`; 403 for a bad key, as their API gateway
 * answers), one asset [guess], and ACTIVEWorks registrations behind a bearer token [guess],
 * paged by page/per_page with totalResults.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';

export interface FakeActiveAsset {
  asset: Record<string, unknown>;
  organizationGuid: string;
  registrations: Record<string, unknown>[];
}

export interface FakeActive extends FakeServer {
  baseUrl: string;
}

export async function startFakeActive(opts: { apiKey: string; accountToken: string; assets: FakeActiveAsset[] }): Promise<FakeActive> {
  const handler = (req: FakeRequest): FakeResponse => {
    const q = req.query;
    const reg = /^\/activeworks\/v1\/events\/([^/]+)\/registrations$/.exec(req.path);
    if (reg) {
      if (req.headers.authorization !== `Bearer ${opts.accountToken}`) return { status: 401, body: { error: 'invalid_token' } };
      const a = opts.assets.find((x) => x.asset.assetGuid === reg[1]);
      if (!a) return { status: 404, body: { error: 'event not found' } };
      const page = Math.max(1, Number(q.get('page') ?? 1));
      const per = Math.min(100, Number(q.get('per_page') ?? 25));
      return { body: { totalResults: a.registrations.length, results: a.registrations.slice((page - 1) * per, page * per) } };
    }
    if (q.get('api_key') !== opts.apiKey) return { status: 403, text: '<h1>Developer Inactive</h1>', headers: { 'content-type': 'text/html' } };
    if (req.path === '/v2/search') {
      const org = q.get('org.organizationGuid');
      const rows = opts.assets.filter((a) => !org || a.organizationGuid === org).map((a) => a.asset);
      const page = Math.max(1, Number(q.get('current_page') ?? 1));
      const per = Math.min(50, Number(q.get('per_page') ?? 10));
      return { body: { itemsPerPage: per, totalResults: rows.length, results: rows.slice((page - 1) * per, page * per) } };
    }
    const m = /^\/v2\/assets\/([^/]+)$/.exec(req.path);
    const a = m ? opts.assets.find((x) => x.asset.assetGuid === m[1]) : undefined;
    if (!a) return { status: 404, body: { error: 'not found' } };
    return { body: { results: [a.asset] } };
  };
  const server = await startFakeServer(handler);
  return Object.assign(server, { baseUrl: server.origin });
}
