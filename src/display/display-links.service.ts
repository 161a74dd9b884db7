/**
 * Managing a partner's display links: create (counts against the plan's displays limit),
 * rebind, revoke, and the operator console (screens' state, clear, show a bib, test read).
 * Changes reach open screens at once through the bus (a `reload` for the link's screens).
 */
import type { Usage } from '../accounts/usage.service.js';
import { displayControlTopic, type Bus } from '../bus/bus.js';
import type { Database, Queryable } from '../db/database.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import {
  countLiveLinks,
  getLink,
  insertLink,
  linkIdTaken,
  listLinks,
  revokeLink,
  rosterEventBelongs,
  sessionBelongs,
  templateVersionExists,
  updateLink,
  type LinkBinding,
  type LinkRow,
} from './display-links.repo.js';
import type { DisplayControl } from './display-stream.js';
import { newLinkId } from './link-id.js';
import { bibHolder, getParticipant } from '../rosters/roster.repo.js';
import { runnerOf, type Runner } from './runner.js';
import type { ScreenPresence, ScreenState } from './screens.js';

/** The console's view of screens: this process's presence, or the relay sharing names with the others. */
export type ScreenConsole = Pick<ScreenPresence, 'list' | 'rename'>;
import { displaySettingsSchema, withDefaults, type DisplaySettings } from './settings.js';

export interface NewLink {
  name: string;
  /** null = follow the partner's active session. */
  sessionId: number | null;
  locations: string[];
  settings: Partial<DisplaySettings>;
  templateId: number | null;
  /** null = the template's current version. */
  templateVersion: number | null;
  rosterEventId: number | null;
  expiresAt: Date | null;
}

/** A runner that is clearly a test, for checking a screen before the race. */
export function testRunner(location: string): Runner {
  return {
    ...runnerOf(undefined, 'TEST', location, Date.now(), null, 'This is a test'),
    bib: 'TEST',
    first_name: 'Test',
    last_name: 'Runner',
    name: 'Test Runner',
    message: 'Test read from the operator console',
    unknown: false,
  };
}

export class DisplayLinks {
  constructor(
    private readonly db: Database,
    private readonly usage: Usage,
    private readonly bus: Bus,
    private readonly screens: ScreenConsole,
  ) {}

  list(partnerId: number): Promise<LinkRow[]> {
    return withPartner(this.db, partnerId, listLinks);
  }

  async create(partnerId: number, link: NewLink): Promise<{ id: string }> {
    const binding = this.validBinding(link);
    return withPartner(this.db, partnerId, async (tx) => {
      await checkBinding(tx, binding);
      await this.usage.checkCountIn(tx, partnerId, 'displays', await countLiveLinks(tx));
      // Unique across partners (a screen opens it by id alone); the key holds (id, partner_id)
      // for Citus, so another partner's id is checked here. 62^8 ids: a second draw is rare.
      let id = newLinkId();
      while (await linkIdTaken(tx, id)) id = newLinkId();
      await insertLink(tx, { ...binding, id, partnerId });
      return { id };
    });
  }

  /** Changes what a link shows; its open screens reload. */
  async update(partnerId: number, id: string, patch: Partial<NewLink>): Promise<LinkRow> {
    const row = await withPartner(this.db, partnerId, async (tx) => {
      const current = await getLink(tx, id);
      if (!current || current.revoked_at) throw new AppError('not_found', 'Display link not found.');
      const binding = this.validBinding({
        name: patch.name ?? current.name,
        sessionId: patch.sessionId !== undefined ? patch.sessionId : current.session_id,
        locations: patch.locations ?? current.locations,
        settings: { ...current.settings, ...patch.settings },
        templateId: patch.templateId !== undefined ? patch.templateId : current.template_id,
        templateVersion: patch.templateVersion !== undefined ? patch.templateVersion : current.template_version,
        rosterEventId: patch.rosterEventId !== undefined ? patch.rosterEventId : current.roster_event_id,
        expiresAt: patch.expiresAt !== undefined ? patch.expiresAt : current.expires_at,
      }, patch.expiresAt !== undefined);
      await checkBinding(tx, binding);
      await updateLink(tx, id, binding);
      return (await getLink(tx, id))!;
    });
    await this.control(partnerId, { linkId: id, type: 'reload' });
    return row;
  }

  async revoke(partnerId: number, id: string): Promise<void> {
    if (!(await withPartner(this.db, partnerId, (tx) => revokeLink(tx, id)))) throw new AppError('not_found', 'Display link not found.');
    // Screens reconnect, find the link gone and say so.
    await this.control(partnerId, { linkId: id, type: 'reload' });
  }

  async screensOf(partnerId: number, id: string): Promise<ScreenState[]> {
    await this.requireLink(partnerId, id);
    return this.screens.list(id);
  }

  /** Names one of the link's open screens ('' takes the name away); it keeps it while it reconnects. */
  async nameScreen(partnerId: number, id: string, screenId: string, name: string): Promise<ScreenState> {
    await this.requireLink(partnerId, id);
    if (!this.screens.list(id).some((s) => s.screen_id === screenId)) throw new AppError('not_found', 'This screen is not open (any more).');
    this.screens.rename(id, screenId, name);
    return this.screens.list(id).find((s) => s.screen_id === screenId)!;
  }

  async clear(partnerId: number, id: string): Promise<void> {
    await this.requireLink(partnerId, id);
    await this.control(partnerId, { linkId: id, type: 'clear' });
  }

  /** Puts a participant on the link's screens by bib, as if they had crossed. */
  async showBib(partnerId: number, id: string, bib: string): Promise<Runner> {
    const runner = await withPartner(this.db, partnerId, async (tx) => {
      const link = await getLink(tx, id);
      if (!link || link.revoked_at) throw new AppError('not_found', 'Display link not found.');
      if (link.roster_event_id === null) throw new AppError('bad_request', 'This link has no roster: bind a roster event first.');
      const holder = await bibHolder(tx, partnerId, link.roster_event_id, bib.trim());
      const p = holder === undefined ? undefined : await getParticipant(tx, partnerId, holder);
      if (!p) throw new AppError('not_found', `No participant with bib ${bib} in this link's roster.`);
      const settings = withDefaults(link.settings);
      return runnerOf(p, bib, link.locations[0] ?? '', Date.now(), null, settings.serverMessages[0] ?? '');
    });
    await this.control(partnerId, { linkId: id, type: 'show', runner, test: false });
    return runner;
  }

  async testRead(partnerId: number, id: string): Promise<void> {
    const link = await this.requireLink(partnerId, id);
    await this.control(partnerId, { linkId: id, type: 'show', runner: testRunner(link.locations[0] ?? 'TEST'), test: true });
  }

  private async requireLink(partnerId: number, id: string): Promise<LinkRow> {
    const link = await withPartner(this.db, partnerId, (tx) => getLink(tx, id));
    if (!link || link.revoked_at) throw new AppError('not_found', 'Display link not found.');
    return link;
  }

  private control(partnerId: number, c: DisplayControl): Promise<void> {
    return this.bus.publish(displayControlTopic(partnerId), [c]);
  }

  /** `checkExpiry`: the expiry is being set now (an unchanged past expiry is the link's state, not an error). */
  private validBinding(link: NewLink, checkExpiry = true): LinkBinding {
    const settings = displaySettingsSchema.safeParse(link.settings);
    if (!settings.success) throw new AppError('bad_request', `Invalid display settings: ${settings.error.issues[0]?.message ?? 'invalid'}`);
    if (checkExpiry && link.expiresAt && link.expiresAt.getTime() <= Date.now()) throw new AppError('bad_request', 'The expiry must be in the future.');
    if (link.templateVersion !== null && link.templateId === null) throw new AppError('bad_request', 'A template version needs a template.');
    return { ...link, settings: settings.data };
  }
}

/** The session, template (version) and roster a link binds must be the partner's own. */
async function checkBinding(tx: Queryable, b: LinkBinding): Promise<void> {
  if (b.sessionId !== null && !(await sessionBelongs(tx, b.sessionId))) throw new AppError('not_found', 'Session not found.');
  if (b.templateId !== null && !(await templateVersionExists(tx, b.templateId, b.templateVersion))) throw new AppError('not_found', 'Template (version) not found.');
  if (b.rosterEventId !== null && !(await rosterEventBelongs(tx, b.rosterEventId))) throw new AppError('not_found', 'Roster event not found.');
}
