/**
 * Invitations to a partner: an admin invites an email to a role no higher than their own, the
 * link is mailed, and accepting it creates the user in the inviting partner, once. The link is
 * handed to the inviter only when mail cannot deliver it (no SMTP: it is in the log anyway);
 * with SMTP only the invitee's mailbox gets it, so an admin cannot accept an invitation to an
 * address that is not theirs (issue 12, finding 7). Whether an address has an account
 * elsewhere is never told: accepting answers the same as for an invalid link.
 */
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { canGrantRole, type PartnerRole } from '../shared/permissions.js';
import {
  actorOf,
  checkEmail,
  checkPassword,
  deliver,
  normalizeEmail,
  partnerOf,
  userView,
  type AccountsLimits,
  type Auth,
  type Links,
  type RequestContext,
  type UserView,
} from './accounts.common.js';
import { recordAudit } from './audit.service.js';
import * as repo from './invitations.repo.js';
import type { Mailer } from './mailer.js';
import { getPartner } from './partners.repo.js';
import { hashPassword } from './passwords.js';
import { hashSecret, looksLikeSecret, newSecret } from './secrets.js';
import { insertUser } from './users.repo.js';

export type InvitationView = repo.InvitationRow;

export class Invitations {
  constructor(
    private readonly db: Database,
    private readonly mailer: Mailer,
    private readonly links: Links,
    private readonly log: Pick<Logger, 'warn'>,
    private readonly limits: Pick<AccountsLimits, 'invitationTtlMs'>,
  ) {}

  /** Invites an email to the caller's partner with a role no higher than the caller's. */
  async create(
    auth: Auth,
    input: { email: string; role: PartnerRole },
    ctx: RequestContext,
  ): Promise<{ invitation: InvitationView; url: string | null; delivery: 'mail' | 'log' }> {
    const partnerId = partnerOf(auth);
    if (auth.role === null || !canGrantRole(auth.role, input.role)) {
      throw new AppError('forbidden', 'You cannot invite someone to a role above your own.');
    }
    const email = normalizeEmail(input.email);
    checkEmail(email);
    const ttlMs = this.limits.invitationTtlMs;
    const token = newSecret();
    const url = this.links.invitation(token);
    const { invitation, partner } = await withPartner(this.db, partnerId, async (tx) => {
      const inv = await repo.insertInvitation(tx, {
        partnerId,
        email,
        role: input.role,
        tokenHash: hashSecret(token),
        invitedBy: auth.userId,
        expiresAt: new Date(Date.now() + ttlMs),
      });
      await recordAudit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'invitation.created', target: `invitation:${inv.id}`, detail: { email, role: input.role } }, ctx);
      return { invitation: inv, partner: await getPartner(tx, partnerId) };
    });
    await deliver(this.mailer, this.log, {
      to: email,
      subject: `You are invited to ${partner?.name ?? 'a timing partner'} on Project88Hub`,
      text: `You have been invited to join ${partner?.name ?? 'a timing partner'} as ${input.role}.\n\nAccept within ${Math.round(ttlMs / 86_400_000)} days: ${url}\n`,
    });
    return this.mailer.delivers ? { invitation, url: null, delivery: 'mail' } : { invitation, url, delivery: 'log' };
  }

  async list(auth: Auth): Promise<InvitationView[]> {
    const partnerId = partnerOf(auth);
    return withPartner(this.db, partnerId, (tx) => repo.listInvitations(tx, partnerId));
  }

  async revoke(auth: Auth, id: number, ctx: RequestContext): Promise<void> {
    const partnerId = partnerOf(auth);
    await withPartner(this.db, partnerId, async (tx) => {
      if (!(await repo.revokeInvitation(tx, partnerId, id))) throw new AppError('not_found', 'Invitation not found.');
      await recordAudit(tx, { partnerId, userId: auth.userId, actor: actorOf(auth), action: 'invitation.revoked', target: `invitation:${id}` }, ctx);
    });
  }

  /** Accepts an open invitation: creates the user in the inviting partner, with the invited role. */
  async accept(token: string, input: { password: string; name?: string | undefined }, ctx: RequestContext): Promise<UserView> {
    const invalid = () =>
      new AppError('not_found', 'This invitation cannot be accepted (used, revoked or expired, or the address has an account already: sign in instead).');
    if (!looksLikeSecret(token)) throw invalid();
    checkPassword(input.password);
    const inv = await repo.findInvitation(this.db, hashSecret(token));
    if (!inv) throw invalid();
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await withPartner(this.db, inv.partner_id, async (tx) => {
        const u = await insertUser(tx, { partnerId: inv.partner_id, email: inv.email, name: input.name ?? '', role: inv.role, passwordHash });
        if (!(await repo.acceptInvitation(tx, inv.invitation_id, u.id))) throw invalid();
        await recordAudit(tx, { partnerId: inv.partner_id, userId: u.id, actor: `user:${u.id}`, action: 'invitation.accepted', target: `invitation:${inv.invitation_id}`, detail: { email: inv.email, role: inv.role } }, ctx);
        return u;
      });
      return userView(user);
    } catch (err) {
      // The same answer as an invalid link: accepting must not tell who has an account.
      if (isUniqueViolation(err)) throw invalid();
      throw err;
    }
  }
}
