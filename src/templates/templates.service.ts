/**
 * Display templates: saving (every save is a new version, sanitized), versions and restore,
 * duplicate, delete, and the plan's templates limit. Each call is one transaction scoped to
 * the partner, so a template of another partner is simply "not found".
 */
import type { Usage } from '../accounts/usage.service.js';
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { TemplateDesign, TemplateFormat } from '../shared/template-fields.js';
import { sanitizeProject } from './project-sanitize.js';
import { sanitizeDesign } from './template-sanitize.js';

export { sanitizeProject };
import * as repo from './templates.repo.js';
import type { TemplateRow, VersionContent, VersionRow, VersionSummary } from './templates.repo.js';

export interface TemplateInput {
  name?: string | undefined;
  runner: TemplateDesign;
  idle: TemplateDesign;
  project?: Record<string, unknown> | null | undefined;
  /** Only when creating: the screen's shape (default landscape); it never changes afterwards. */
  format?: TemplateFormat | undefined;
}

export interface TemplateWithVersion {
  template: TemplateRow;
  version: VersionRow;
}

function cleanContent(input: TemplateInput): VersionContent {
  const project = input.project ? (sanitizeProject(input.project) as Record<string, unknown>) : null;
  return { runner: sanitizeDesign(input.runner), idle: sanitizeDesign(input.idle), project };
}

export class Templates {
  constructor(
    private readonly db: Database,
    private readonly usage: Usage,
  ) {}

  list(partnerId: number): Promise<TemplateRow[]> {
    return withPartner(this.db, partnerId, repo.listTemplates);
  }

  async create(partnerId: number, userId: number | null, name: string, input: TemplateInput): Promise<TemplateWithVersion> {
    const content = cleanContent(input);
    return withPartner(this.db, partnerId, async (tx) => {
      await this.usage.checkCountIn(tx, partnerId, 'templates', await repo.countTemplates(tx));
      const template = await repo.insertTemplate(tx, partnerId, name, input.format ?? 'landscape');
      const version = await repo.insertVersion(tx, { partnerId, templateId: template.id, version: 1, content, userId });
      return { template, version };
    });
  }

  get(partnerId: number, id: number): Promise<TemplateWithVersion> {
    return withPartner(this.db, partnerId, async (tx) => {
      const template = await requireTemplate(tx, id);
      return { template, version: await requireVersion(tx, id, template.current_version) };
    });
  }

  /** Saves a new version and makes it current. */
  async save(partnerId: number, userId: number | null, id: number, input: TemplateInput): Promise<TemplateWithVersion> {
    const content = cleanContent(input);
    return withPartner(this.db, partnerId, (tx) => addVersion(tx, partnerId, userId, id, content, input.name));
  }

  versions(partnerId: number, id: number): Promise<VersionSummary[]> {
    return withPartner(this.db, partnerId, async (tx) => {
      await requireTemplate(tx, id);
      return repo.listVersions(tx, id);
    });
  }

  version(partnerId: number, id: number, version: number): Promise<VersionRow> {
    return withPartner(this.db, partnerId, (tx) => requireVersion(tx, id, version));
  }

  /** Restoring keeps history: the old version's content becomes a new, current version. */
  restore(partnerId: number, userId: number | null, id: number, version: number): Promise<TemplateWithVersion> {
    return withPartner(this.db, partnerId, async (tx) => {
      const old = await requireVersion(tx, id, version);
      return addVersion(tx, partnerId, userId, id, { runner: old.runner, idle: old.idle, project: old.project });
    });
  }

  duplicate(partnerId: number, userId: number | null, id: number, name: string | undefined): Promise<TemplateWithVersion> {
    return withPartner(this.db, partnerId, async (tx) => {
      const source = await requireTemplate(tx, id);
      const current = await requireVersion(tx, id, source.current_version);
      await this.usage.checkCountIn(tx, partnerId, 'templates', await repo.countTemplates(tx));
      const template = await repo.insertTemplate(tx, partnerId, name ?? copyName(source.name), source.format);
      const version = await repo.insertVersion(tx, {
        partnerId,
        templateId: template.id,
        version: 1,
        content: { runner: current.runner, idle: current.idle, project: current.project },
        userId,
      });
      return { template, version };
    });
  }

  async delete(partnerId: number, id: number): Promise<void> {
    await withPartner(this.db, partnerId, async (tx) => {
      await requireTemplate(tx, id, true);
      const links = await repo.liveLinksUsing(tx, id);
      if (links.length > 0) {
        throw new AppError('conflict', `Display link${links.length > 1 ? 's' : ''} ${links.join(', ')} still show${links.length > 1 ? '' : 's'} this template: revoke or rebind first.`);
      }
      await repo.deleteTemplate(tx, id);
    });
  }
}

function copyName(name: string): string {
  return `${name} (copy)`.slice(0, 100);
}

async function requireTemplate(tx: Queryable, id: number, forUpdate = false): Promise<TemplateRow> {
  const t = await repo.getTemplate(tx, id, forUpdate);
  if (!t) throw new AppError('not_found', 'Template not found.');
  return t;
}

async function requireVersion(tx: Queryable, id: number, version: number): Promise<VersionRow> {
  const v = await repo.getVersion(tx, id, version);
  if (!v) throw new AppError('not_found', 'Template version not found.');
  return v;
}

/** Locks the template row so two saves at once get consecutive versions, not a conflict. */
async function addVersion(
  tx: Queryable,
  partnerId: number,
  userId: number | null,
  id: number,
  content: VersionContent,
  name?: string,
): Promise<TemplateWithVersion> {
  await requireTemplate(tx, id, true);
  const next = (await repo.latestVersionNumber(tx, id)) + 1;
  const version = await repo.insertVersion(tx, { partnerId, templateId: id, version: next, content, userId });
  const template = await repo.setCurrentVersion(tx, id, next, name);
  return { template, version };
}
