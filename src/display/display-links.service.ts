/** Managing a partner's display links (creating one counts against the plan's displays limit). */
import type { Usage } from '../accounts/usage.service.js';
import type { Database } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { countLiveLinks, insertLink, listLinks, revokeLink, sessionBelongs, type LinkRow } from './display-links.repo.js';
import { newLinkId } from './link-id.js';
import { displaySettingsSchema, type DisplaySettings } from './settings.js';

export interface NewLink {
  name: string;
  /** null = follow the partner's active session. */
  sessionId: number | null;
  locations: string[];
  settings: Partial<DisplaySettings>;
  expiresAt: Date | null;
}

export class DisplayLinks {
  constructor(
    private readonly db: Database,
    private readonly usage: Usage,
  ) {}

  list(partnerId: number): Promise<LinkRow[]> {
    return withPartner(this.db, partnerId, listLinks);
  }

  async create(partnerId: number, link: NewLink): Promise<{ id: string }> {
    const settings = displaySettingsSchema.parse(link.settings);
    if (link.expiresAt && link.expiresAt.getTime() <= Date.now()) throw new AppError('bad_request', 'The expiry must be in the future.');
    return withPartner(this.db, partnerId, async (tx) => {
      if (link.sessionId !== null && !(await sessionBelongs(tx, link.sessionId))) throw new AppError('not_found', 'Session not found.');
      await this.usage.checkCountIn(tx, partnerId, 'displays', await countLiveLinks(tx));
      const id = newLinkId();
      await insertLink(tx, { id, partnerId, name: link.name, sessionId: link.sessionId, locations: link.locations, settings, expiresAt: link.expiresAt });
      return { id };
    });
  }

  async revoke(partnerId: number, id: string): Promise<void> {
    if (!(await withPartner(this.db, partnerId, (tx) => revokeLink(tx, id)))) throw new AppError('not_found', 'Display link not found.');
  }
}
