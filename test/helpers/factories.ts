/**
 * Test factories: the things most tests need before they can say anything — a partner with a
 * signed-in owner, a timing session with reads, a roster, a template, a display link. Each goes
 * through the product's own services or HTTP API (so a factory never makes a row the product
 * could not make), except sessions and reads, which only the collector writes: those are
 * inserted as the collector stores them.
 */
import type { FastifyInstance } from 'fastify';
import type { Queryable } from '../../src/db/database.js';
import type { Role } from '../../src/shared/permissions.js';
import { signIn, type SignedIn } from './auth.js';

export interface TestPartner {
  id: number;
  slug: string;
  owner: SignedIn;
  /** Another user of this partner, signed in. */
  signIn(role: Role): Promise<SignedIn>;
}

let partnerCounter = 0;

/** A partner (on its 14-day trial, as new partners are) with a signed-in owner. */
export async function newPartner(app: FastifyInstance, opts: { slug?: string; name?: string } = {}): Promise<TestPartner> {
  const slug = opts.slug ?? `partner-${++partnerCounter}-${process.pid}`;
  const partner = await app.accounts.partners.create({ slug, name: opts.name ?? slug });
  return {
    id: partner.id,
    slug,
    owner: await signIn(app, partner.id, 'owner'),
    signIn: (role) => signIn(app, partner.id, role),
  };
}

export interface SessionSeed {
  name?: string;
  status?: 'active' | 'closed';
  eventName?: string | null;
  /** ISO timestamp; also the session's start time. */
  createdAt?: string;
  endAt?: string | null;
}

/** A timing session, inserted as the collector creates one (db: the owner's connection). */
export async function newSession(db: Queryable, partnerId: number, s: SessionSeed = {}): Promise<number> {
  const r = await db.query<{ id: number }>(
    `INSERT INTO timing_sessions (partner_id, session_name, event_name, status, created_at, start_time, end_time)
     VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()), coalesce($5::timestamptz, now()), $6) RETURNING id`,
    [partnerId, s.name ?? 'Test session', s.eventName ?? null, s.status ?? 'active', s.createdAt ?? null, s.endAt ?? null],
  );
  return r.rows[0]!.id;
}

export interface ReadSeed {
  location: string;
  tag: string;
  seq: number;
  kind?: 'tag' | 'gun';
  /** ISO timestamp of the read; received at the same moment unless receivedAt says otherwise. */
  readAt: string;
  receivedAt?: string;
  /** The stream's source (a connection id), as the collector keys streams. */
  sourceKey?: string;
}

/**
 * Stores reads the way the collector does for CT01_33 lines: the location and stream rows
 * first (made once), then the read; returns the reads' ids in order (db: the owner's connection).
 */
export async function addReads(db: Queryable, partnerId: number, sessionId: number, reads: readonly ReadSeed[]): Promise<number[]> {
  const ids: number[] = [];
  for (const r of reads) {
    const sourceKey = r.sourceKey ?? 'conn:test';
    const loc = await db.query<{ id: number }>(
      `INSERT INTO timing_locations (partner_id, session_id, location_name) VALUES ($1, $2, $3)
       ON CONFLICT (session_id, location_name, partner_id) DO UPDATE SET location_name = EXCLUDED.location_name RETURNING id`,
      [partnerId, sessionId, r.location],
    );
    const locationId = loc.rows[0]!.id;
    const stream = await db.query<{ id: number }>(
      `INSERT INTO timing_streams (partner_id, session_id, location_id, source_key, location_name) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id, source_key, location_name, partner_id) DO UPDATE SET source_key = EXCLUDED.source_key RETURNING id`,
      [partnerId, sessionId, locationId, sourceKey, r.location],
    );
    const time = r.readAt.slice(11, 22); // HH:MM:SS.ss, as a CT01_33 line carries it
    const read = await db.query<{ id: number }>(
      `INSERT INTO timing_reads (partner_id, session_id, location_id, stream_id, source_key, sequence_number, location_name,
         tag_code, read_kind, read_time, time_raw, lap_count, reader_id, gator_number, raw_line, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, '0', 0, $12, $13) RETURNING id`,
      [
        partnerId, sessionId, locationId, stream.rows[0]!.id, sourceKey, r.seq, r.location, r.tag, r.kind ?? 'tag',
        r.readAt, time, `CT01_33~${r.seq}~${r.location}~${r.tag}~${time}~0~0A0B0C~1`, r.receivedAt ?? r.readAt,
      ],
    );
    ids.push(read.rows[0]!.id);
  }
  return ids;
}

/** A roster event, with participants from a CSV when given, through the rosters API. */
export async function newRoster(
  app: FastifyInstance,
  who: SignedIn,
  opts: { name?: string; csv?: string; mapping?: Record<string, unknown> } = {},
): Promise<number> {
  const created = await app.inject({ method: 'POST', url: '/api/rosters', headers: who.headers, payload: { name: opts.name ?? 'Test roster' } });
  if (created.statusCode !== 201) throw new Error(`roster not created: ${created.statusCode} ${created.body}`);
  const id = created.json<{ id: number }>().id;
  if (opts.csv !== undefined) {
    const imported = await app.inject({ method: 'POST', url: `/api/rosters/${id}/csv`, headers: who.headers, payload: { csv: opts.csv, mapping: opts.mapping ?? { bib: 'Bib' } } });
    if (imported.statusCode !== 200) throw new Error(`roster CSV not imported: ${imported.statusCode} ${imported.body}`);
  }
  return id;
}

export interface DesignSeed {
  html: string;
  css: string;
}

const RUNNER_DESIGN: DesignSeed = { html: '<div data-p88-field="name" data-p88-fit>Runner Name</div><div data-p88-field="bib">0</div>', css: '' };
const IDLE_DESIGN: DesignSeed = { html: '<div data-p88-field="idle_message">Welcome</div>', css: '' };

/** A display template through the templates API; returns its id. */
export async function newTemplate(
  app: FastifyInstance,
  who: SignedIn,
  opts: { name?: string; runner?: DesignSeed; idle?: DesignSeed } = {},
): Promise<number> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/templates',
    headers: who.headers,
    payload: { name: opts.name ?? 'Test template', runner: opts.runner ?? RUNNER_DESIGN, idle: opts.idle ?? IDLE_DESIGN },
  });
  if (res.statusCode !== 201) throw new Error(`template not created: ${res.statusCode} ${res.body}`);
  return res.json<{ template: { id: number } }>().template.id;
}

/** A display link through the display-links API; returns its public id. */
export async function newDisplayLink(app: FastifyInstance, who: SignedIn, body: Record<string, unknown> = {}): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/display-links', headers: who.headers, payload: { name: 'Test screen', ...body } });
  if (res.statusCode !== 201) throw new Error(`display link not created: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>().id;
}
