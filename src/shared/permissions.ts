/**
 * The permission table: which role may do which action. This is the only place the answer
 * lives; routes name an action (requireAuth('tokens:manage')) and never test roles.
 * The dashboard (ui/) imports this file too, to show only what a role may do (src/shared's
 * tsconfig checks that it stays free of Node APIs and outside imports).
 *
 * | action            | platform_admin | owner | admin | staff | viewer | API token scope |
 * |-------------------|:--------------:|:-----:|:-----:|:-----:|:------:|:---------------:|
 * | timing:read       |       ✓        |   ✓   |   ✓   |   ✓   |   ✓    |        ✓        |
 * | timing:write      |       ✓        |   ✓   |   ✓   |   ✓   |        |        ✓        |
 * | displays:read     |       ✓        |   ✓   |   ✓   |   ✓   |   ✓    |        ✓        |
 * | displays:manage   |       ✓        |   ✓   |   ✓   |   ✓   |        |        ✓        |
 * | sources:manage    |       ✓        |   ✓   |   ✓   |       |        |        ✓        |
 * | users:read        |       ✓        |   ✓   |   ✓   |   ✓   |        |        ✓        |
 * | users:manage      |       ✓        |   ✓   |   ✓   |       |        |                 |
 * | tokens:manage     |       ✓        |   ✓   |   ✓   |       |        |                 |
 * | audit:read        |       ✓        |   ✓   |   ✓   |       |        |        ✓        |
 * | results:read      |       ✓        |   ✓   |   ✓   |   ✓   |   ✓    |        ✓        |
 * | results:manage    |       ✓        |   ✓   |   ✓   |   ✓   |        |        ✓        |
 * | partner:manage    |       ✓        |   ✓   |       |       |        |                 |
 * | billing:manage    |       ✓        |   ✓   |       |       |        |                 |
 * | platform:admin    |       ✓        |       |       |       |        |                 |
 *
 * API tokens act only through their scopes, a subset of the actions marked in the last
 * column that the creating user holds; a token can never manage users, tokens or billing.
 * Roles are also ranked: a user may grant (invite to, assign) only roles at or below their own.
 */

export const ROLES = ['platform_admin', 'owner', 'admin', 'staff', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Roles a partner's users can hold (platform_admin belongs to no partner). */
export const PARTNER_ROLES = ['owner', 'admin', 'staff', 'viewer'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

const ALL: readonly Role[] = ROLES;
const STAFF_UP: readonly Role[] = ['platform_admin', 'owner', 'admin', 'staff'];
const ADMIN_UP: readonly Role[] = ['platform_admin', 'owner', 'admin'];
const OWNER_UP: readonly Role[] = ['platform_admin', 'owner'];

/** action → roles allowed. */
export const PERMISSIONS = {
  'timing:read': ALL,
  'timing:write': STAFF_UP,
  'displays:read': ALL,
  'displays:manage': STAFF_UP,
  'sources:manage': ADMIN_UP,
  'users:read': STAFF_UP,
  'users:manage': ADMIN_UP,
  'tokens:manage': ADMIN_UP,
  'audit:read': ADMIN_UP,
  'results:read': ALL,
  'results:manage': STAFF_UP,
  'partner:manage': OWNER_UP,
  'billing:manage': OWNER_UP,
  'platform:admin': ['platform_admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

/** Actions an API token may be given as scopes. */
export const TOKEN_SCOPES = [
  'timing:read',
  'timing:write',
  'displays:read',
  'displays:manage',
  'sources:manage',
  'users:read',
  'audit:read',
  'results:read',
  'results:manage',
] as const satisfies readonly Action[];
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** Whether a user with this role may perform the action. */
export function can(role: Role, action: Action): boolean {
  return (PERMISSIONS[action] as readonly Role[]).includes(role);
}

/** Every action the role may perform (a session's scopes). */
export function actionsOf(role: Role): Action[] {
  return ACTIONS.filter((a) => can(role, a));
}

/** Whether an API token with these scopes may perform the action. */
export function tokenCan(scopes: readonly string[], action: Action): boolean {
  return (TOKEN_SCOPES as readonly string[]).includes(action) && scopes.includes(action);
}

const RANK: Record<Role, number> = { viewer: 1, staff: 2, admin: 3, owner: 4, platform_admin: 5 };

/** Whether a user with role `actor` may give someone the role `granted`. */
export function canGrantRole(actor: Role, granted: Role): boolean {
  return can(actor, 'users:manage') && RANK[granted] <= RANK[actor];
}

/** Whether a user with this role may give a token these scopes (each one an action they hold). */
export function canGrantScopes(actor: Role, scopes: readonly TokenScope[]): boolean {
  return scopes.every((s) => can(actor, s));
}

export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/** Whether an authenticated caller may perform the action: by role for a session, by scopes for a token. */
export function authorize(caller: { via: 'session' | 'token'; role: Role | null; scopes: readonly string[] }, action: Action): boolean {
  if (caller.via === 'token') return tokenCan(caller.scopes, action);
  return caller.role !== null && can(caller.role, action);
}
