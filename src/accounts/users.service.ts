/**
 * A partner's users: creating them (platform admins, the CLI, first run), listing them, and
 * changing a role or disabling someone within the rank rules of shared/permissions.ts, which
 * also keep every partner with an active owner.
 */
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { withPartner } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { canGrantRole, type PartnerRole, type Role } from '../shared/permissions.js';
import {
  actorOf,
  checkEmail,
  checkPassword,
  inScope,
  normalizeEmail,
  partnerOf,
  userView,
  type Auth,
  type RequestContext,
  type UserView,
} from './accounts.common.js';
import { recordAudit } from './audit.service.js';
import { generatePassword, hashPassword } from './passwords.js';
import { deleteUserSessions } from './sign-in.repo.js';
import * as repo from './users.repo.js';

export class Users {
  constructor(private readonly db: Database) {}

  /**
   * A new user (platform admins, `p88 user create`, first run). With no password given, one
   * is generated and returned: the caller shows it once.
   */
  async create(
    input: { email: string; name?: string; role: Role; partnerId: number | null; password?: string | undefined },
    actor = 'system',
  ): Promise<{ user: UserView; generatedPassword: string | null }> {
    const email = normalizeEmail(input.email);
    checkEmail(email);
    if ((input.role === 'platform_admin') !== (input.partnerId === null)) {
      throw new AppError('bad_request', 'Platform admins belong to no partner; every other role belongs to one.');
    }
    const generatedPassword = input.password === undefined ? generatePassword() : null;
    const password = input.password ?? generatedPassword!;
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    try {
      const user = await inScope(this.db, input.partnerId, async (tx) => {
        const u = await repo.insertUser(tx, { partnerId: input.partnerId, email, name: input.name ?? '', role: input.role, passwordHash });
        await recordAudit(tx, { partnerId: u.partner_id, userId: null, actor, action: 'user.created', target: `user:${u.id}`, detail: { email, role: u.role } });
        return u;
      });
      return { user: userView(user), generatedPassword };
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('conflict', 'A user with that email exists already.');
      throw err;
    }
  }

  async list(auth: Auth): Promise<UserView[]> {
    const partnerId = partnerOf(auth);
    return withPartner(this.db, partnerId, async (tx) => (await repo.listUsers(tx, partnerId)).map(userView));
  }

  /**
   * Changes a user's role or disables/enables them. Only for users at or below the caller's
   * rank, to roles at or below it; never oneself; a partner always keeps an active owner.
   * Disabling ends the user's sessions.
   */
  async update(
    auth: Auth,
    userId: number,
    change: { role?: PartnerRole | undefined; disabled?: boolean | undefined },
    ctx: RequestContext,
  ): Promise<UserView> {
    const partnerId = partnerOf(auth);
    const actorRole = auth.role;
    if (actorRole === null) throw new AppError('forbidden');
    if (userId === auth.userId) throw new AppError('forbidden', 'You cannot change your own role or status.');
    return withPartner(this.db, partnerId, async (tx) => {
      // Owners first, then the user: one lock order for every change, so no deadlock.
      const activeOwners = await repo.countActiveOwners(tx, partnerId);
      const current = await repo.getUserForUpdate(tx, partnerId, userId);
      if (!current) throw new AppError('not_found', 'User not found.');
      const role = change.role ?? current.role;
      const disabled = change.disabled ?? current.disabled_at !== null;
      if (!canGrantRole(actorRole, current.role) || !canGrantRole(actorRole, role)) {
        throw new AppError('forbidden', 'You cannot change a user or grant a role above your own.');
      }
      const wasActiveOwner = current.role === 'owner' && current.disabled_at === null;
      if (wasActiveOwner && (role !== 'owner' || disabled) && activeOwners <= 1) {
        throw new AppError('conflict', 'A partner must keep at least one active owner.');
      }
      const updated = await repo.updateUser(tx, userId, { role, disabled });
      const ended = disabled ? await deleteUserSessions(tx, userId) : 0;
      await recordAudit(tx, {
        partnerId,
        userId: auth.userId,
        actor: actorOf(auth),
        action: 'user.updated',
        target: `user:${userId}`,
        detail: { from: { role: current.role, disabled: current.disabled_at !== null }, to: { role, disabled }, sessions_ended: ended },
      }, ctx);
      return userView(updated);
    });
  }

  /**
   * Sets the password of the partner's user with this email and lifts any lockout, leaving
   * their sessions alone (`p88 demo` handing out fresh credentials on every run). False when
   * the partner has no such user.
   */
  async setPasswordByEmail(partnerId: number, email: string, password: string): Promise<boolean> {
    checkPassword(password);
    const hash = await hashPassword(password);
    return withPartner(this.db, partnerId, async (tx) => {
      const userId = await repo.findUserIdByEmail(tx, normalizeEmail(email));
      if (userId === null) return false;
      await repo.setPassword(tx, userId, hash);
      return true;
    });
  }
}
