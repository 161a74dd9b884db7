/**
 * A loopback Eventbrite: bearer auth (401 INVALID_AUTH), organizations, live events with
 * `expand=venue`, ticket classes, attendees with `changed_since` and continuation-token paging
 * (opaque tokens; a stale or foreign token is a 400 as on Eventbrite), 50 rows a page.
 */
import { startFakeServer, type FakeRequest, type FakeResponse, type FakeServer } from '../fake-http.js';

export interface FakeEbEvent {
  event: Record<string, unknown>;
  ticket_classes: Record<string, unknown>[];
  attendees: Record<string, unknown>[];
}

export interface FakeEventbrite extends FakeServer {
  baseUrl: string;
  events: FakeEbEvent[];
}

export const EB_PAGE_SIZE = 50;

export async function startFakeEventbrite(opts: { token: string; orgId: string; events: FakeEbEvent[] }): Promise<FakeEventbrite> {
  const paged = (key: string, rows: unknown[], req: FakeRequest): FakeResponse => {
    const c = req.query.get('continuation');
    let offset = 0;
    if (c !== null) {
      const m = /^cont-(\d+)-(\d+)$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
      if (!m || Number(m[2]) !== rows.length) return { status: 400, body: { error: 'ARGUMENTS_ERROR', error_description: 'Invalid continuation token' } };
      offset = Number(m[1]);
    }
    const slice = rows.slice(offset, offset + EB_PAGE_SIZE);
    const more = offset + EB_PAGE_SIZE < rows.length;
    return {
      body: {
        pagination: {
          object_count: rows.length,
          page_number: Math.floor(offset / EB_PAGE_SIZE) + 1,
          page_size: EB_PAGE_SIZE,
          page_count: Math.max(1, Math.ceil(rows.length / EB_PAGE_SIZE)),
          has_more_items: more,
          ...(more ? { continuation: Buffer.from(`cont-${offset + EB_PAGE_SIZE}-${rows.length}`).toString('base64url') } : {}),
        },
        [key]: slice,
      },
    };
  };
  const handler = (req: FakeRequest): FakeResponse => {
    if (req.headers.authorization !== `Bearer ${opts.token}`) return { status: 401, body: { status_code: 401, error: 'INVALID_AUTH', error_description: 'The OAuth token you provided was invalid.' } };
    const p = req.path.replace(/^\/v3/, '');
    if (p === '/users/me/organizations/') return { body: { organizations: [{ id: opts.orgId, name: 'Timing Co' }], pagination: { has_more_items: false } } };
    if (p === `/organizations/${opts.orgId}/events/`) {
      const rows = opts.events.map((e) => e.event).filter((e) => !req.query.get('status') || e.status === req.query.get('status'));
      return paged('events', rows, req);
    }
    const m = /^\/events\/(\d+)\/(?:(ticket_classes|attendees)\/)?$/.exec(p);
    const e = m ? opts.events.find((x) => String(x.event.id) === m[1]) : undefined;
    if (!m || !e) return { status: 404, body: { status_code: 404, error: 'NOT_FOUND', error_description: 'The event you requested does not exist.' } };
    if (!m[2]) return { body: e.event };
    if (m[2] === 'ticket_classes') return paged('ticket_classes', e.ticket_classes, req);
    let rows = e.attendees;
    const since = req.query.get('changed_since');
    if (since !== null) {
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(since)) return { status: 400, body: { error: 'ARGUMENTS_ERROR', error_description: 'changed_since: invalid datetime' } };
      rows = rows.filter((a) => Date.parse(String(a.changed)) >= Date.parse(since));
    }
    const status = req.query.get('status');
    if (status === 'attending') rows = rows.filter((a) => a.status === 'Attending');
    return paged('attendees', rows, req);
  };
  const server = await startFakeServer(handler);
  return Object.assign(server, { baseUrl: `${server.origin}/v3`, events: opts.events });
}

/** `n` attendees of ticket class `ticketClassId`, changed at `changed`. */
export function fakeAttendees(n: number, opts: { idBase?: number; ticketClassId?: string; changed?: string; question?: string } = {}): Record<string, unknown>[] {
  const idBase = opts.idBase ?? 100_000;
  return Array.from({ length: n }, (_, i) => ({
    id: String(idBase + i),
    created: '2025-03-01T10:00:00Z',
    changed: opts.changed ?? '2025-03-02T10:00:00Z',
    event_id: '5551',
    ticket_class_id: opts.ticketClassId ?? '61',
    ticket_class_name: 'Half Marathon',
    status: 'Attending',
    cancelled: false,
    refunded: false,
    profile: { first_name: `Eve${i}`, last_name: 'Brite', email: `e${i}@example.com`, gender: i % 2 ? 'male' : 'female', age: 33, birth_date: '1992-02-02', addresses: { home: { city: 'Austin', region: 'TX', country: 'US' } } },
    answers: [
      { question_id: '900', question: 'T-shirt size', answer: 'M' },
      { question_id: '901', question: opts.question ?? 'Bib Number', answer: String(500 + i) },
    ],
  }));
}
