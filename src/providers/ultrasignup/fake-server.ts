/**
 * A loopback UltraSignup: closestevents (PascalCase, "/Date(ms)/" dates), an edition with its
 * distances [guess], entrants per distance [guess], results per distance [seen]: bare arrays,
 * ms-string times, status codes. Unknown ids answer `null` (results: `[]`), as .svc services do.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';

export interface FakeUsEdition {
  edition: Record<string, unknown>;
  entrants: Record<string, Record<string, unknown>[]>;
  results: Record<string, Record<string, unknown>[]>;
}

export interface FakeUltraSignup extends FakeServer {
  baseUrl: string;
}

export async function startFakeUltraSignup(opts: { editions: FakeUsEdition[] }): Promise<FakeUltraSignup> {
  const handler = (req: FakeRequest): FakeResponse => {
    const p = req.path.replace(/^\/service\/events\.svc/, '');
    if (p === '/closestevents') return { body: opts.editions.map((e) => ({ ...e.edition, Distances: undefined })) };
    let m = /^\/event\/(\d+)$/.exec(p);
    if (m) return { body: opts.editions.find((e) => String(e.edition.EventDateId) === m![1])?.edition ?? null };
    m = /^\/participants\/(\d+)$/.exec(p);
    if (m) return { body: opts.editions.find((e) => e.entrants[m![1]!])?.entrants[m[1]!] ?? [] };
    m = /^\/results\/(\d+)\/1\/json$/.exec(p);
    if (m) return { body: opts.editions.find((e) => e.results[m![1]!])?.results[m[1]!] ?? [] };
    return { status: 404, text: '<html><body>Endpoint not found.</body></html>', headers: { 'content-type': 'text/html' } };
  };
  const server = await startFakeServer(handler);
  return Object.assign(server, { baseUrl: `${server.origin}/service/events.svc` });
}
