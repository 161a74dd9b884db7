/**
 * What the signed-in user may do, to decide which tabs and buttons to show. The server's
 * answer (the scopes of /api/auth/me) wins; right after sign-in, before that answer, the role's
 * actions come from the same permission table the server uses. The server still decides: a
 * screen that shows an action it then refuses displays the server's 403 message.
 */
import { PARTNER_ROLES, actionsOf, isRole, type Action, type PartnerRole } from '../../src/shared/permissions';
import type { AuthSession } from './api';

export type { Action, PartnerRole };

export function roleOf(session: AuthSession): string {
  return session.role ?? session.user.role;
}

export function allowed(session: AuthSession, action: Action): boolean {
  if (session.scopes) return session.scopes.includes(action);
  const role = roleOf(session);
  return isRole(role) && actionsOf(role).includes(action);
}

const RANK: Record<string, number> = { viewer: 1, staff: 2, admin: 3, owner: 4, platform_admin: 5 };

/** Partner roles this user may give (invite to, assign): at or below their own. */
export function grantableRoles(session: AuthSession): PartnerRole[] {
  if (!allowed(session, 'users:manage')) return [];
  const own = RANK[roleOf(session)] ?? 0;
  return PARTNER_ROLES.filter((r) => (RANK[r] ?? 99) <= own);
}

/** Whether this user may change someone holding `role` (at or below their own rank). */
export function outranksOrEquals(session: AuthSession, role: string): boolean {
  return (RANK[role] ?? 99) <= (RANK[roleOf(session)] ?? 0);
}

export const ROLE_LABELS: Record<string, string> = {
  platform_admin: 'Platform admin',
  owner: 'Owner',
  admin: 'Admin',
  staff: 'Staff',
  viewer: 'Viewer',
};

export function roleLabel(role: string): string {
  return ROLE_LABELS[role] ?? role;
}
