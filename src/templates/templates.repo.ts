/** SQL for display templates and their versions (run inside withPartner). */
import type { Queryable } from '../db/database.js';
import type { TemplateDesign, TemplateFormat } from '../shared/template-fields.js';

export interface TemplateRow {
  id: number;
  name: string;
  format: TemplateFormat;
  current_version: number;
  created_at: Date;
  updated_at: Date;
}

export interface VersionRow {
  version: number;
  runner: TemplateDesign;
  idle: TemplateDesign;
  project: Record<string, unknown> | null;
  created_at: Date;
}

export interface VersionContent {
  runner: TemplateDesign;
  idle: TemplateDesign;
  project: Record<string, unknown> | null;
}

const TEMPLATE_COLUMNS = 'id, name, format, current_version, created_at, updated_at';
const VERSION_COLUMNS = `version, json_build_object('html', runner_html, 'css', runner_css) AS runner,
  json_build_object('html', idle_html, 'css', idle_css) AS idle, project, created_at`;

export async function listTemplates(db: Queryable): Promise<TemplateRow[]> {
  const r = await db.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM display_templates ORDER BY updated_at DESC, id DESC`);
  return r.rows;
}

export async function countTemplates(db: Queryable): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM display_templates`);
  return r.rows[0]?.n ?? 0;
}

export async function getTemplate(db: Queryable, id: number, forUpdate = false): Promise<TemplateRow | null> {
  const r = await db.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} FROM display_templates WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] ?? null;
}

export async function insertTemplate(db: Queryable, partnerId: number, name: string, format: TemplateFormat): Promise<TemplateRow> {
  const r = await db.query<TemplateRow>(
    `INSERT INTO display_templates (partner_id, name, format) VALUES ($1, $2, $3) RETURNING ${TEMPLATE_COLUMNS}`,
    [partnerId, name, format],
  );
  return r.rows[0]!;
}

/** Moves a template to a new current version (and optionally renames it). */
export async function setCurrentVersion(db: Queryable, id: number, version: number, name?: string): Promise<TemplateRow> {
  const r = await db.query<TemplateRow>(
    `UPDATE display_templates SET current_version = $2, name = coalesce($3, name), updated_at = now()
      WHERE id = $1 RETURNING ${TEMPLATE_COLUMNS}`,
    [id, version, name ?? null],
  );
  return r.rows[0]!;
}

export async function insertVersion(
  db: Queryable,
  v: { partnerId: number; templateId: number; version: number; content: VersionContent; userId: number | null },
): Promise<VersionRow> {
  const r = await db.query<VersionRow>(
    `INSERT INTO display_template_versions (partner_id, template_id, version, runner_html, runner_css, idle_html, idle_css, project, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${VERSION_COLUMNS}`,
    [
      v.partnerId,
      v.templateId,
      v.version,
      v.content.runner.html,
      v.content.runner.css,
      v.content.idle.html,
      v.content.idle.css,
      v.content.project === null ? null : JSON.stringify(v.content.project),
      v.userId,
    ],
  );
  return r.rows[0]!;
}

export async function getVersion(db: Queryable, templateId: number, version: number): Promise<VersionRow | null> {
  const r = await db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM display_template_versions WHERE template_id = $1 AND version = $2`, [
    templateId,
    version,
  ]);
  return r.rows[0] ?? null;
}

export async function latestVersionNumber(db: Queryable, templateId: number): Promise<number> {
  const r = await db.query<{ n: number }>(`SELECT coalesce(max(version), 0)::int AS n FROM display_template_versions WHERE template_id = $1`, [templateId]);
  return r.rows[0]?.n ?? 0;
}

export interface VersionSummary {
  version: number;
  created_at: Date;
  created_by: string | null;
}

export async function listVersions(db: Queryable, templateId: number): Promise<VersionSummary[]> {
  const r = await db.query<VersionSummary>(
    `SELECT v.version, v.created_at, u.email AS created_by
       FROM display_template_versions v LEFT JOIN users u ON u.id = v.created_by
      WHERE v.template_id = $1 ORDER BY v.version DESC`,
    [templateId],
  );
  return r.rows;
}

/** Live links that show this template (deleting it would blank their screens). */
export async function liveLinksUsing(db: Queryable, templateId: number): Promise<string[]> {
  const r = await db.query<{ id: string }>(
    `SELECT id FROM display_links WHERE template_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()) ORDER BY id`,
    [templateId],
  );
  return r.rows.map((x) => x.id);
}

export async function deleteTemplate(db: Queryable, id: number): Promise<boolean> {
  const r = await db.query(`DELETE FROM display_templates WHERE id = $1`, [id]);
  return r.rowCount === 1;
}
