import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  actionsOf,
  authorize,
  can,
  canGrantRole,
  canGrantScopes,
  PARTNER_ROLES,
  PERMISSIONS,
  ROLES,
  TOKEN_SCOPES,
  tokenCan,
} from './permissions.js';

describe('the permission table', () => {
  it('gives the platform admin every action and nobody else platform:admin', () => {
    for (const a of ACTIONS) expect(can('platform_admin', a), a).toBe(true);
    for (const r of PARTNER_ROLES) expect(can(r, 'platform:admin'), r).toBe(false);
  });

  it('orders the partner roles: each holds every action of the role below it', () => {
    const order = ['viewer', 'staff', 'admin', 'owner'] as const;
    for (let i = 1; i < order.length; i++) {
      for (const a of actionsOf(order[i - 1]!)) expect(can(order[i]!, a), `${order[i]} ${a}`).toBe(true);
      expect(actionsOf(order[i]!).length).toBeGreaterThan(actionsOf(order[i - 1]!).length);
    }
  });

  it('matches the written table row by row', () => {
    expect(actionsOf('viewer')).toEqual(['timing:read', 'displays:read', 'results:read']);
    expect(actionsOf('staff')).toEqual(['timing:read', 'timing:write', 'displays:read', 'displays:manage', 'users:read', 'results:read', 'results:manage']);
    expect(actionsOf('admin')).toEqual([
      'timing:read', 'timing:write', 'displays:read', 'displays:manage', 'sources:manage',
      'users:read', 'users:manage', 'tokens:manage', 'audit:read', 'results:read', 'results:manage',
    ]);
    expect(actionsOf('owner')).toEqual(ACTIONS.filter((a) => a !== 'platform:admin'));
    // Every role listed in the table is a known role.
    for (const roles of Object.values(PERMISSIONS)) for (const r of roles) expect(ROLES).toContain(r);
  });

  it('refuses a viewer the admin actions', () => {
    for (const a of ['tokens:manage', 'users:manage', 'users:read', 'timing:write', 'partner:manage'] as const) {
      expect(can('viewer', a), a).toBe(false);
    }
  });
});

describe('tokens and grants', () => {
  it('lets a token act only within its scopes, and never beyond the token-grantable actions', () => {
    expect(tokenCan(['timing:read'], 'timing:read')).toBe(true);
    expect(tokenCan(['timing:read'], 'timing:write')).toBe(false);
    // Even a scope smuggled into the row cannot reach a non-grantable action.
    expect(tokenCan(['tokens:manage', 'users:manage'], 'tokens:manage')).toBe(false);
    expect(TOKEN_SCOPES).not.toContain('tokens:manage');
    expect(TOKEN_SCOPES).not.toContain('users:manage');
    expect(TOKEN_SCOPES).not.toContain('billing:manage');
  });

  it('authorizes sessions by role and tokens by scopes', () => {
    expect(authorize({ via: 'session', role: 'admin', scopes: [] }, 'tokens:manage')).toBe(true);
    expect(authorize({ via: 'session', role: 'viewer', scopes: ['tokens:manage'] }, 'tokens:manage')).toBe(false);
    expect(authorize({ via: 'token', role: null, scopes: ['users:read'] }, 'users:read')).toBe(true);
    expect(authorize({ via: 'token', role: 'owner', scopes: [] }, 'users:read')).toBe(false);
  });

  it('lets users grant only roles and scopes they hold', () => {
    expect(canGrantRole('owner', 'owner')).toBe(true);
    expect(canGrantRole('admin', 'owner')).toBe(false);
    expect(canGrantRole('admin', 'admin')).toBe(true);
    expect(canGrantRole('admin', 'platform_admin')).toBe(false);
    expect(canGrantRole('staff', 'viewer')).toBe(false);
    expect(canGrantScopes('admin', ['audit:read', 'sources:manage'])).toBe(true);
    expect(canGrantScopes('staff', ['sources:manage'])).toBe(false);
  });
});
