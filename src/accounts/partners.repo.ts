/**
 * SQL of partners, the tenants themselves. Row-level security isolates the table on its id:
 * in a partner's scope only its own row shows, so listing every partner and finding one by
 * slug only work in the platform's scope (asPlatform).
 */
import type { Queryable } from '../db/database.js';

export interface PartnerRow {
  id: number;
  slug: string;
  name: string;
  created_at: Date;
}

export async function insertPartner(db: Queryable, p: { slug: string; name: string }): Promise<PartnerRow> {
  const r = await db.query<PartnerRow>(
    'INSERT INTO partners (slug, name) VALUES ($1, $2) RETURNING id, slug, name, created_at',
    [p.slug, p.name],
  );
  return r.rows[0]!;
}

export async function getPartner(db: Queryable, id: number): Promise<PartnerRow | null> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners WHERE id = $1', [id]);
  return r.rows[0] ?? null;
}

export async function listPartners(db: Queryable): Promise<PartnerRow[]> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners ORDER BY id');
  return r.rows;
}

export async function findPartnerBySlug(db: Queryable, slug: string): Promise<PartnerRow | null> {
  const r = await db.query<PartnerRow>('SELECT id, slug, name, created_at FROM partners WHERE slug = $1', [slug]);
  return r.rows[0] ?? null;
}
