import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import { linksFor, type PartnerView } from './accounts.common.js';
import { Accounts } from './accounts.service.js';
import { hashSecret } from './secrets.js';
import { startTestApp, TEST_PUBLIC_URL, tokenInMail, type TestApp } from '../../test/helpers/app.js';

const PASSWORD = 'correct horse battery';

let testDb: TestDatabase;
let t: TestApp;
let app: FastifyInstance;
let acme: PartnerView;
let beta: PartnerView;
const users: Record<string, number> = {};

// Each test signs in from its own address, so per-IP rate limits of one test never touch another.
let nextIp = 1;
const freshIp = () => `10.0.${Math.floor(nextIp / 250)}.${(nextIp++ % 250) + 1}`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  t = await startTestApp({ testDb });
  app = t.app;
  acme = await t.app.accounts.partners.create({ slug: 'acme', name: 'Acme Timing' });
  beta = await t.app.accounts.partners.create({ slug: 'beta', name: 'Beta Timing' });
  const make = async (key: string, email: string, role: 'owner' | 'admin' | 'staff' | 'viewer', partnerId: number) => {
    users[key] = (await t.app.accounts.users.create({ email, role, partnerId, password: PASSWORD })).user.id;
  };
  await make('acmeOwner', 'owner@acme.test', 'owner', acme.id);
  await make('acmeAdmin', 'admin@acme.test', 'admin', acme.id);
  await make('acmeViewer', 'viewer@acme.test', 'viewer', acme.id);
  await make('acmeStaff', 'staff@acme.test', 'staff', acme.id);
  await make('betaOwner', 'owner@beta.test', 'owner', beta.id);
  users.root = (await t.app.accounts.users.create({ email: 'root@p88.test', role: 'platform_admin', partnerId: null, password: PASSWORD })).user.id;
});

afterAll(async () => {
  await app?.close();
  await testDb?.drop();
});

interface Session {
  cookie: string;
  csrf: string;
}

function sessionCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'p88_session');
  if (!c) throw new Error('no session cookie');
  return c.value;
}

function login(email: string, password = PASSWORD, ip = freshIp()) {
  return app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: ip, payload: { email, password } });
}

async function signIn(email: string): Promise<Session> {
  const res = await login(email);
  expect(res.statusCode, res.body).toBe(200);
  return { cookie: sessionCookie(res), csrf: res.json().csrf_token };
}

function withSession(s: Session, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, csrf: string | null = s.csrf) {
  return app.inject({
    method,
    url,
    cookies: { p88_session: s.cookie },
    headers: csrf === null ? {} : { 'x-csrf-token': csrf },
    ...(payload ? { payload } : {}),
  });
}

function withToken(token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) {
  return app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
}

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<{ error: { code: string; request_id: string; message: string } }>();
  expect(body.error.code).toBe(code);
  expect(body.error.request_id).toBe(res.headers['x-request-id']);
  return body.error;
}

async function auditRows(where: string, params: unknown[]) {
  const r = await testDb.owner.query<{ partner_id: number | null; user_id: number | null; action: string; detail: Record<string, unknown>; ip: string | null }>(
    `SELECT partner_id, user_id, action, detail, ip FROM audit_log WHERE ${where} ORDER BY id`,
    params,
  );
  return r.rows;
}

async function createToken(s: Session, scopes: string[], name = 'integration') {
  const res = await withSession(s, 'POST', '/api/tokens', { name, scopes });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: { id: number; scopes: string[]; token_hint: string }; secret: string }>();
}

describe('POST /api/auth/login', () => {
  it('signs in: httpOnly SameSite=Lax cookie, user, partner and CSRF token; stores only a hash', async () => {
    const ip = freshIp();
    const res = await login('Owner@Acme.test ', PASSWORD, ip);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ id: users.acmeOwner, email: 'owner@acme.test', role: 'owner', partner_id: acme.id, disabled: false });
    expect(body.partner).toEqual({ id: acme.id, slug: 'acme', name: 'Acme Timing' });
    expect(body.csrf_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);

    const cookie = res.cookies.find((c) => c.name === 'p88_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBeUndefined(); // plain http here; https requests get Secure
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.csrf_token).not.toBe(cookie.value);

    const stored = await testDb.owner.query<{ token_hash: string; ip: string }>('SELECT token_hash, ip FROM user_sessions WHERE user_id = $1', [users.acmeOwner]);
    expect(stored.rows.map((r) => r.token_hash)).toContain(hashSecret(cookie.value));
    expect(JSON.stringify(stored.rows)).not.toContain(cookie.value);

    const audit = await auditRows(`action = 'auth.login.succeeded' AND ip = $1`, [ip]);
    expect(audit).toEqual([{ partner_id: acme.id, user_id: users.acmeOwner, action: 'auth.login.succeeded', detail: {}, ip }]);
  });

  it('answers a wrong password with 401, counts it and audits it', async () => {
    const ip = freshIp();
    const err = expectError(await login('admin@acme.test', 'wrong password!', ip), 401, 'unauthorized');
    expect(err.message).toBe('Wrong email or password.');
    const audit = await auditRows(`ip = $1`, [ip]);
    expect(audit).toEqual([
      {
        partner_id: acme.id,
        user_id: users.acmeAdmin,
        action: 'auth.login.failed',
        detail: { email: 'admin@acme.test', reason: 'wrong_password', failures: 1 },
        ip,
      },
    ]);
    const u = await testDb.owner.query<{ failed_logins: number }>('SELECT failed_logins FROM users WHERE id = $1', [users.acmeAdmin]);
    expect(u.rows[0]!.failed_logins).toBe(1);
    // A success clears the count.
    expect((await login('admin@acme.test')).statusCode).toBe(200);
    const after = await testDb.owner.query<{ failed_logins: number }>('SELECT failed_logins FROM users WHERE id = $1', [users.acmeAdmin]);
    expect(after.rows[0]!.failed_logins).toBe(0);
  });

  it('answers an unknown email exactly like a wrong password, audited at platform level', async () => {
    const ip = freshIp();
    const unknown = await login('nobody@nowhere.test', PASSWORD, ip);
    const known = await login('admin@acme.test', 'not the password', freshIp());
    const a = expectError(unknown, 401, 'unauthorized');
    const b = expectError(known, 401, 'unauthorized');
    expect(a.message).toBe(b.message);
    expect(await auditRows(`ip = $1`, [ip])).toEqual([
      { partner_id: null, user_id: null, action: 'auth.login.failed', detail: { email: 'nobody@nowhere.test', reason: 'unknown_email' }, ip },
    ]);
    expect((await login('admin@acme.test')).statusCode).toBe(200);
  });

  it('throttles one address after 5 failures, with growing delays, and never locks the account for others', async () => {
    const email = 'staff@acme.test';
    const attacker = freshIp();
    for (let i = 1; i <= 5; i++) expectError(await login(email, `wrong-${i}-password`, attacker), 401, 'unauthorized');
    const res = await login(email, PASSWORD, attacker);
    expectError(res, 429, 'account_locked');
    const retry = Number(res.headers['retry-after']);
    expect(retry).toBeGreaterThan(50);
    expect(retry).toBeLessThanOrEqual(60);

    const actions = (await auditRows(`user_id = $1 AND action LIKE 'auth.%'`, [users.acmeStaff])).map((r) => r.action);
    expect(actions).toEqual([...Array(5).fill('auth.login.failed'), 'auth.account.locked', 'auth.login.locked']);

    // The owner, from an address that has not been failing, gets in with the right password.
    const owner = freshIp();
    expect((await login(email, PASSWORD, owner)).statusCode).toBe(200);
    // ... and that does not lift the attacker's wait.
    expectError(await login(email, PASSWORD, attacker), 429, 'account_locked');

    // When the wait has run out, the next failure from that address waits twice as long.
    await testDb.owner.query(`UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE user_id = $1 AND ip = $2`, [users.acmeStaff, attacker]);
    expectError(await login(email, 'wrong-6-password', attacker), 401, 'unauthorized');
    const again = await login(email, PASSWORD, attacker);
    expectError(again, 429, 'account_locked');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(110);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(120);
    const row = await testDb.owner.query<{ failures: number; partner_id: number }>('SELECT failures, partner_id FROM login_throttle WHERE user_id = $1 AND ip = $2', [users.acmeStaff, attacker]);
    expect(row.rows[0]).toEqual({ failures: 6, partner_id: acme.id });

    // A correct password after the wait forgets the address's failures.
    await testDb.owner.query(`UPDATE login_throttle SET locked_until = now() - interval '1 second' WHERE user_id = $1 AND ip = $2`, [users.acmeStaff, attacker]);
    expect((await login(email, PASSWORD, attacker)).statusCode).toBe(200);
    expect((await testDb.owner.query('SELECT 1 FROM login_throttle WHERE user_id = $1 AND ip = $2', [users.acmeStaff, attacker])).rowCount).toBe(0);
  });

  it('keeps a way in for the platform admin: other addresses get in, and p88 user unlock lifts every throttle', async () => {
    const attackers = [freshIp(), freshIp(), freshIp()];
    for (const ip of attackers) {
      for (let i = 0; i < 6; i++) await login('root@p88.test', `guess-${i}-password`, ip);
      expectError(await login('root@p88.test', PASSWORD, ip), 429, 'account_locked');
    }
    expect((await login('root@p88.test', PASSWORD, freshIp())).statusCode).toBe(200);
    const throttled = await testDb.owner.query<{ partner_id: number | null }>('SELECT partner_id FROM login_throttle WHERE user_id = $1', [users.root]);
    expect(throttled.rows).toEqual(attackers.map(() => ({ partner_id: null })));

    const unlocked = await app.accounts.signIn.unlock('ROOT@p88.test');
    expect(unlocked).toEqual({ userId: users.root, cleared: 3 });
    expect((await login('root@p88.test', PASSWORD, attackers[0])).statusCode).toBe(200);
    expect(await app.accounts.signIn.unlock('nobody@p88.test')).toBeNull();
    expect((await auditRows(`action = 'auth.account.unlocked' AND user_id = $1`, [users.root])).length).toBe(1);
  });

  it('locks unknown emails the same way, so the lock does not reveal which emails exist', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) expectError(await login('ghost@acme.test', 'whatever-password', ip), 401, 'unauthorized');
    const res = await login('ghost@acme.test', 'whatever-password', ip);
    expectError(res, 429, 'account_locked');
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expectError(await login('ghost@acme.test', 'whatever-password', freshIp()), 401, 'unauthorized');
  });

  it('rate limits sign-in per IP: the 11th attempt in a minute gets 429, audited once', async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expectError(await login(`someone${i}@x.test`, 'some password', ip), 401, 'unauthorized');
    const res = await login('admin@acme.test', PASSWORD, ip);
    expectError(res, 429, 'too_many_requests');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expectError(await login('admin@acme.test', PASSWORD, ip), 429, 'too_many_requests');
    expect((await auditRows(`ip = $1 AND action = 'auth.login.rate_limited'`, [ip])).length).toBe(1);
  });

  it('refuses a disabled user with the same 401', async () => {
    const { user } = await t.app.accounts.users.create({ email: 'gone@acme.test', role: 'staff', partnerId: acme.id, password: PASSWORD });
    await testDb.owner.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    expectError(await login('gone@acme.test'), 401, 'unauthorized');
  });

  it('rejects a malformed body with 400', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@b.c' } });
    expectError(res, 400, 'bad_request');
  });
});

describe('sessions', () => {
  it('GET /api/auth/me answers who is signed in, with the CSRF token', async () => {
    const s = await signIn('viewer@acme.test');
    const res = await withSession(s, 'GET', '/api/auth/me');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      via: 'session',
      user: { id: users.acmeViewer, role: 'viewer' },
      partner: { slug: 'acme' },
      role: 'viewer',
      scopes: ['timing:read', 'displays:read', 'results:read'],
      csrf_token: s.csrf,
    });
  });

  it('refuses no cookie, an unknown cookie and an expired session with 401', async () => {
    expectError(await app.inject({ method: 'GET', url: '/api/auth/me' }), 401, 'unauthorized');
    expectError(await withSession({ cookie: 'x'.repeat(43), csrf: '' }, 'GET', '/api/auth/me'), 401, 'unauthorized');
    const s = await signIn('viewer@acme.test');
    await testDb.owner.query(`UPDATE user_sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashSecret(s.cookie)]);
    expectError(await withSession(s, 'GET', '/api/auth/me'), 401, 'unauthorized');
  });

  it('requires the CSRF header on cookie-authenticated state changes', async () => {
    const s = await signIn('owner@acme.test');
    const body = { name: 'csrf test', scopes: ['timing:read'] };
    const missing = expectError(await withSession(s, 'POST', '/api/tokens', body, null), 403, 'forbidden');
    expect(missing.message).toMatch(/CSRF/);
    expectError(await withSession(s, 'POST', '/api/tokens', body, 'A'.repeat(43)), 403, 'forbidden');
    // Another session's CSRF token does not fit this session.
    const other = await signIn('admin@acme.test');
    expectError(await withSession(s, 'POST', '/api/tokens', body, other.csrf), 403, 'forbidden');
    expect((await withSession(s, 'POST', '/api/tokens', body)).statusCode).toBe(201);
  });

  it('logout ends the session: the cookie is cleared and no longer works', async () => {
    const s = await signIn('admin@acme.test');
    expectError(await withSession(s, 'POST', '/api/auth/logout', undefined, null), 403, 'forbidden');
    const res = await withSession(s, 'POST', '/api/auth/logout');
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.find((c) => c.name === 'p88_session');
    expect(cleared?.value).toBe('');
    expectError(await withSession(s, 'GET', '/api/auth/me'), 401, 'unauthorized');
    const rows = await testDb.owner.query('SELECT 1 FROM user_sessions WHERE token_hash = $1', [hashSecret(s.cookie)]);
    expect(rows.rowCount).toBe(0);
    expect((await auditRows(`user_id = $1 AND action = 'auth.logout'`, [users.acmeAdmin])).length).toBe(1);
  });
});

describe('changing your own password', () => {
  it('needs the current password and ends the other sessions, keeping this one', async () => {
    await t.app.accounts.users.create({ email: 'changer@acme.test', role: 'viewer', partnerId: acme.id, password: PASSWORD });
    const here = await signIn('changer@acme.test');
    const elsewhere = await signIn('changer@acme.test');
    const wrong = await withSession(here, 'POST', '/api/auth/password', { current_password: 'not it at all', new_password: 'another long one' });
    expectError(wrong, 403, 'forbidden');
    expectError(await withSession(here, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'short' }), 400, 'bad_request');
    expectError(await withSession(here, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'another long one' }, null), 403, 'forbidden');
    const ok = await withSession(here, 'POST', '/api/auth/password', { current_password: PASSWORD, new_password: 'another long one' });
    expect(ok.statusCode, ok.body).toBe(204);
    expect((await withSession(here, 'GET', '/api/auth/me')).statusCode).toBe(200);
    expectError(await withSession(elsewhere, 'GET', '/api/auth/me'), 401, 'unauthorized');
    expectError(await login('changer@acme.test'), 401, 'unauthorized');
    expect((await login('changer@acme.test', 'another long one')).statusCode).toBe(200);
  });

  it('rate limits password checks per user (429 past 5 in 15 minutes), and per address', async () => {
    await t.app.accounts.users.create({ email: 'guesser@acme.test', role: 'viewer', partnerId: acme.id, password: PASSWORD });
    const s = await signIn('guesser@acme.test');
    const attempt = (current: string, ip: string) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/password',
        remoteAddress: ip,
        cookies: { p88_session: s.cookie },
        headers: { 'x-csrf-token': s.csrf },
        payload: { current_password: current, new_password: 'another long one' },
      });
    for (let i = 0; i < 5; i++) expectError(await attempt(`wrong guess ${i}`, freshIp()), 403, 'forbidden');
    const limited = await attempt(PASSWORD, freshIp());
    expectError(limited, 429, 'too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

    // One address cycling through many users' sessions is bounded too (20 per window).
    const ip = freshIp();
    let refused = 0;
    for (let i = 0; i < 5; i++) {
      await t.app.accounts.users.create({ email: `cycler${i}@acme.test`, role: 'viewer', partnerId: acme.id, password: PASSWORD });
      const c = await signIn(`cycler${i}@acme.test`);
      for (let j = 0; j < 5; j++) {
        const res = await app.inject({
          method: 'POST', url: '/api/auth/password', remoteAddress: ip, cookies: { p88_session: c.cookie }, headers: { 'x-csrf-token': c.csrf },
          payload: { current_password: `wrong guess ${j}`, new_password: 'another long one' },
        });
        if (res.statusCode === 429) refused++;
      }
    }
    expect(refused).toBe(5);
  });
});

describe('GET /api/audit', () => {
  it("shows an admin the partner's own trail only", async () => {
    const s = await signIn('admin@acme.test');
    const res = await app.inject({ method: 'GET', url: '/api/audit?limit=1000', cookies: { p88_session: s.cookie } });
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().entries as Array<{ action: string; actor: string; detail: Record<string, unknown> }>;
    expect(entries[0]).toMatchObject({ action: 'auth.login.succeeded', actor: `user:${users.acmeAdmin}` });
    const emails = entries.map((x) => x.detail.email).filter((x): x is string => typeof x === 'string');
    expect(emails.length).toBeGreaterThan(0);
    expect(emails.every((x) => x.endsWith('@acme.test'))).toBe(true);
    const viewer = await signIn('viewer@acme.test');
    expectError(await withSession(viewer, 'GET', '/api/audit'), 403, 'forbidden');
  });
});

describe('permissions', () => {
  it('refuses a viewer the admin actions with 403', async () => {
    const s = await signIn('viewer@acme.test');
    expectError(await withSession(s, 'POST', '/api/tokens', { name: 'x', scopes: ['timing:read'] }), 403, 'forbidden');
    expectError(await withSession(s, 'GET', '/api/tokens'), 403, 'forbidden');
    expectError(await withSession(s, 'GET', '/api/users'), 403, 'forbidden');
    expectError(await withSession(s, 'POST', '/api/invitations', { email: 'x@acme.test', role: 'viewer' }), 403, 'forbidden');
  });

  it('signs a platform admin in with no partner; partner-scoped actions need a partner account', async () => {
    const s = await signIn('root@p88.test');
    const me = (await withSession(s, 'GET', '/api/auth/me')).json();
    expect(me).toMatchObject({ role: 'platform_admin', partner: null, user: { partner_id: null } });
    expect(me.scopes).toContain('platform:admin');
    const err = expectError(await withSession(s, 'GET', '/api/users'), 403, 'forbidden');
    expect(err.message).toBe('This needs a partner account.');
    // Its sign-in is audited at platform level, out of every partner's sight.
    const rows = await auditRows(`user_id = $1`, [users.root]);
    expect(rows.map((r) => r.action)).toContain('auth.login.succeeded');
    expect(rows.every((r) => r.partner_id === null)).toBe(true);
  });

  it('lets only a platform admin list and create partners', async () => {
    const root = await signIn('root@p88.test');
    const created = await withSession(root, 'POST', '/api/platform/partners', { slug: 'delta', name: 'Delta Timing' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().partner).toMatchObject({ slug: 'delta', name: 'Delta Timing' });
    expectError(await withSession(root, 'POST', '/api/platform/partners', { slug: 'delta', name: 'Again' }), 409, 'conflict');
    expectError(await withSession(root, 'POST', '/api/platform/partners', { slug: 'Bad Slug', name: 'x' }), 400, 'bad_request');
    const slugs = (await withSession(root, 'GET', '/api/platform/partners')).json().partners.map((p: { slug: string }) => p.slug);
    expect(slugs).toEqual(expect.arrayContaining(['local', 'acme', 'beta', 'delta']));
    const owner = await signIn('owner@acme.test');
    expectError(await withSession(owner, 'GET', '/api/platform/partners'), 403, 'forbidden');
    expectError(await withSession(owner, 'POST', '/api/platform/partners', { slug: 'mine', name: 'Mine' }), 403, 'forbidden');
  });

  it('never falls back to the cookie when a bearer token is bad', async () => {
    const s = await signIn('owner@acme.test');
    const res = await app.inject({
      method: 'GET',
      url: '/api/users',
      cookies: { p88_session: s.cookie },
      headers: { authorization: 'Bearer p88_nonsense' },
    });
    expectError(res, 401, 'unauthorized');
  });

  it('lets staff read users but not manage tokens', async () => {
    const s = await signIn('staff@acme.test');
    expect((await withSession(s, 'GET', '/api/users')).statusCode).toBe(200);
    expectError(await withSession(s, 'GET', '/api/tokens'), 403, 'forbidden');
  });
});

describe('PATCH /api/users/:id', () => {
  it('changes a role at once, disables and re-enables, within the rank rules', async () => {
    const { user } = await t.app.accounts.users.create({ email: 'mover@acme.test', role: 'staff', partnerId: acme.id, password: PASSWORD });
    const admin = await signIn('admin@acme.test');
    const mover = await signIn('mover@acme.test');

    const demoted = await withSession(admin, 'PATCH', `/api/users/${user.id}`, { role: 'viewer' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect(demoted.json().user).toMatchObject({ id: user.id, role: 'viewer', disabled: false });
    expect((await withSession(mover, 'GET', '/api/auth/me')).json().role).toBe('viewer');
    expectError(await withSession(mover, 'GET', '/api/users'), 403, 'forbidden');

    expectError(await withSession(admin, 'PATCH', `/api/users/${user.id}`, { role: 'owner' }), 403, 'forbidden');
    expectError(await withSession(admin, 'PATCH', `/api/users/${users.acmeOwner}`, { disabled: true }), 403, 'forbidden');
    expectError(await withSession(admin, 'PATCH', `/api/users/${users.acmeAdmin}`, { role: 'viewer' }), 403, 'forbidden');
    expectError(await withSession(admin, 'PATCH', `/api/users/${users.betaOwner}`, { role: 'viewer' }), 404, 'not_found');
    expectError(await withSession(admin, 'PATCH', `/api/users/${user.id}`, {}), 400, 'bad_request');

    expect((await withSession(admin, 'PATCH', `/api/users/${user.id}`, { disabled: true })).json().user.disabled).toBe(true);
    expectError(await withSession(mover, 'GET', '/api/auth/me'), 401, 'unauthorized');
    expectError(await login('mover@acme.test'), 401, 'unauthorized');
    expect((await withSession(admin, 'PATCH', `/api/users/${user.id}`, { disabled: false })).json().user.disabled).toBe(false);
    expect((await login('mover@acme.test')).statusCode).toBe(200);
    const audit = await auditRows(`action = 'user.updated' AND target = $1`, [`user:${user.id}`]);
    expect(audit.map((r) => r.detail.to)).toEqual([
      { role: 'viewer', disabled: false },
      { role: 'viewer', disabled: true },
      { role: 'viewer', disabled: false },
    ]);
  });

  it('keeps an active owner when two owners demote each other at once', async () => {
    const gamma = await t.app.accounts.partners.create({ slug: 'gamma', name: 'Gamma' });
    await t.app.accounts.users.create({ email: 'one@gamma.test', role: 'owner', partnerId: gamma.id, password: PASSWORD });
    await t.app.accounts.users.create({ email: 'two@gamma.test', role: 'owner', partnerId: gamma.id, password: PASSWORD });
    const one = await signIn('one@gamma.test');
    const two = await signIn('two@gamma.test');
    const ids = await testDb.owner.query<{ id: number; email: string }>(`SELECT id, email FROM users WHERE partner_id = $1 ORDER BY email`, [gamma.id]);
    const [idOne, idTwo] = [ids.rows[0]!.id, ids.rows[1]!.id];
    const results = await Promise.all([
      withSession(one, 'PATCH', `/api/users/${idTwo}`, { role: 'admin' }),
      withSession(two, 'PATCH', `/api/users/${idOne}`, { role: 'admin' }),
    ]);
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes[0]).toBe(200);
    expect([403, 409]).toContain(codes[1]);
    const owners = await testDb.owner.query(`SELECT 1 FROM users WHERE partner_id = $1 AND role = 'owner' AND disabled_at IS NULL`, [gamma.id]);
    expect(owners.rowCount).toBe(1);
  });
});

describe('API tokens', () => {
  it('shows the secret once, stores its hash, and lists it with a hint only', async () => {
    const s = await signIn('owner@acme.test');
    const { token, secret } = await createToken(s, ['users:read', 'timing:read'], 'results export');
    expect(secret).toMatch(/^p88_[A-Za-z0-9_-]{43}$/);
    expect(token).toMatchObject({ name: 'results export', scopes: ['users:read', 'timing:read'], created_by: users.acmeOwner, last_used_at: null, revoked_at: null });
    expect(secret.startsWith(token.token_hint)).toBe(true);

    const list = await withSession(s, 'GET', '/api/tokens');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(secret);
    expect(list.json().tokens.map((x: { id: number }) => x.id)).toContain(token.id);
    const stored = await testDb.owner.query<{ token_hash: string }>('SELECT token_hash FROM api_tokens WHERE id = $1', [token.id]);
    expect(stored.rows[0]!.token_hash).toBe(hashSecret(secret));
    expect(await auditRows(`action = 'token.created' AND target = $1`, [`token:${token.id}`])).toHaveLength(1);
  });

  it('authenticates a bearer token within its scopes and records its use', async () => {
    const s = await signIn('owner@acme.test');
    const { token, secret } = await createToken(s, ['users:read']);
    const res = await withToken(secret, 'GET', '/api/users');
    expect(res.statusCode, res.body).toBe(200);
    const emails = res.json().users.map((u: { email: string }) => u.email);
    expect(emails).toContain('owner@acme.test');
    expect(emails.every((e: string) => e.endsWith('@acme.test'))).toBe(true);
    const used = await testDb.owner.query<{ last_used_at: Date | null }>('SELECT last_used_at FROM api_tokens WHERE id = $1', [token.id]);
    expect(used.rows[0]!.last_used_at).toBeInstanceOf(Date);

    const me = await withToken(secret, 'GET', '/api/auth/me');
    expect(me.json()).toMatchObject({ via: 'token', user: null, role: null, scopes: ['users:read'], csrf_token: null, partner: { slug: 'acme' } });
    // Bearer requests need no CSRF header, but stay within their scopes.
    expectError(await withToken(secret, 'GET', '/api/invitations'), 403, 'forbidden');
    // Managing tokens is never a token's scope.
    expectError(await withToken(secret, 'POST', '/api/tokens', { name: 'y', scopes: ['users:read'] }), 403, 'forbidden');
  });

  it("acts only within its creator's current rights: a demotion narrows it, a disabled creator stops it (401)", async () => {
    const owner = await signIn('owner@acme.test');
    const adminId = (await t.app.accounts.users.create({ email: 'demoted@acme.test', role: 'admin', partnerId: acme.id, password: PASSWORD })).user.id;
    const admin = await signIn('demoted@acme.test');
    const { secret } = await createToken(admin, ['sources:manage', 'audit:read', 'users:read', 'timing:read']);
    const created = await withToken(secret, 'POST', '/api/sources', { name: 'while admin' });
    expect(created.statusCode, created.body).toBe(201);
    expect((await withToken(secret, 'GET', '/api/audit')).statusCode).toBe(200);

    // Demoted to viewer: the token keeps only what a viewer may do.
    expect((await withSession(owner, 'PATCH', `/api/users/${adminId}`, { role: 'viewer' })).statusCode).toBe(200);
    expectError(await withToken(secret, 'POST', '/api/sources', { name: 'after demotion' }), 403, 'forbidden');
    expectError(await withToken(secret, 'GET', '/api/audit'), 403, 'forbidden');
    expectError(await withToken(secret, 'GET', '/api/users'), 403, 'forbidden');
    expect((await withToken(secret, 'GET', '/api/sources')).statusCode).toBe(200);
    expect((await withToken(secret, 'GET', '/api/auth/me')).json().scopes).toEqual(['timing:read']);
    const names = await testDb.owner.query<{ name: string }>('SELECT name FROM timing_sources WHERE partner_id = $1', [acme.id]);
    expect(names.rows.map((r) => r.name)).not.toContain('after demotion');

    // Promoted back: the token has its scopes again, never more than it was given.
    expect((await withSession(owner, 'PATCH', `/api/users/${adminId}`, { role: 'owner' })).statusCode).toBe(200);
    expect((await withToken(secret, 'GET', '/api/audit')).statusCode).toBe(200);
    expect((await withToken(secret, 'GET', '/api/auth/me')).json().scopes).toEqual(['sources:manage', 'audit:read', 'users:read', 'timing:read']);

    // Disabled: the token stops at once.
    expect((await withSession(owner, 'PATCH', `/api/users/${adminId}`, { role: 'admin', disabled: true })).statusCode).toBe(200);
    expectError(await withToken(secret, 'GET', '/api/sources'), 401, 'unauthorized');
    expectError(await withToken(secret, 'POST', '/api/sources', { name: 'after disable' }), 401, 'unauthorized');
  });

  it('stops a revoked token at once (401) and 404s a second revoke', async () => {
    const s = await signIn('admin@acme.test');
    const { token, secret } = await createToken(s, ['users:read']);
    expect((await withToken(secret, 'GET', '/api/users')).statusCode).toBe(200);
    expect((await withSession(s, 'DELETE', `/api/tokens/${token.id}`)).statusCode).toBe(204);
    expectError(await withToken(secret, 'GET', '/api/users'), 401, 'unauthorized');
    expectError(await withSession(s, 'DELETE', `/api/tokens/${token.id}`), 404, 'not_found');
    expect((await auditRows(`action = 'token.revoked' AND target = $1`, [`token:${token.id}`])).length).toBe(1);
  });

  it("keeps partners apart: another partner's token cannot read your users or revoke your tokens", async () => {
    const acmeSession = await signIn('owner@acme.test');
    const betaSession = await signIn('owner@beta.test');
    const acmeToken = await createToken(acmeSession, ['users:read']);
    const betaToken = await createToken(betaSession, ['users:read']);

    const seen = (await withToken(betaToken.secret, 'GET', '/api/users')).json().users.map((u: { email: string }) => u.email);
    expect(seen).toEqual(['owner@beta.test']);

    // Beta cannot see or revoke Acme's token, even by its id.
    const betaList = (await withSession(betaSession, 'GET', '/api/tokens')).json().tokens.map((x: { id: number }) => x.id);
    expect(betaList).not.toContain(acmeToken.token.id);
    expectError(await withSession(betaSession, 'DELETE', `/api/tokens/${acmeToken.token.id}`), 404, 'not_found');
    expect((await withToken(acmeToken.secret, 'GET', '/api/users')).statusCode).toBe(200);
  });

  it('refuses tokens in the query string, malformed bearer headers and unknown scopes', async () => {
    const s = await signIn('owner@acme.test');
    const { secret } = await createToken(s, ['users:read']);
    expectError(await app.inject({ method: 'GET', url: `/api/users?access_token=${secret}` }), 401, 'unauthorized');
    expectError(await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Basic ${secret}` } }), 401, 'unauthorized');
    expectError(await withToken('p88_' + 'A'.repeat(43), 'GET', '/api/users'), 401, 'unauthorized');
    expectError(await withSession(s, 'POST', '/api/tokens', { name: 'bad', scopes: ['tokens:manage'] }), 400, 'bad_request');
    expectError(await withSession(s, 'POST', '/api/tokens', { name: 'bad', scopes: [] }), 400, 'bad_request');
  });

  it('refuses an expired token', async () => {
    const s = await signIn('owner@acme.test');
    const { token, secret } = await createToken(s, ['users:read']);
    await testDb.owner.query(`UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`, [token.id]);
    expectError(await withToken(secret, 'GET', '/api/users'), 401, 'unauthorized');
  });
});

describe('row-level security on accounts tables', () => {
  it('shows the application role only the partner in scope, and nothing without one', async () => {
    const inAcme = await withPartner(testDb.db, acme.id, (tx) => tx.query<{ email: string }>('SELECT email FROM users ORDER BY email'));
    expect(inAcme.rows.every((r) => r.email.endsWith('@acme.test'))).toBe(true);
    expect(inAcme.rows.length).toBeGreaterThanOrEqual(4);
    for (const table of ['users', 'user_sessions', 'api_tokens', 'audit_log', 'invitations', 'password_resets', 'login_throttle']) {
      const none = await testDb.db.query(`SELECT 1 FROM ${table}`);
      expect(none.rowCount, table).toBe(0);
      const rls = await testDb.owner.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        'SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = $1',
        [table],
      );
      expect(rls.rows[0], table).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
    }
    // A partner cannot write a row for another partner, nor a platform admin.
    await expect(
      withPartner(testDb.db, acme.id, (tx) => tx.query(`INSERT INTO users (partner_id, email, role) VALUES ($1, 'sneak@beta.test', 'owner')`, [beta.id])),
    ).rejects.toThrow(/row-level security/);
    await expect(
      withPartner(testDb.db, acme.id, (tx) => tx.query(`UPDATE users SET partner_id = NULL, role = 'platform_admin' WHERE id = $1`, [users.acmeOwner])),
    ).rejects.toThrow(/row-level security/);
  });

  it('keeps the audit log append-only for the application', async () => {
    await expect(asPlatform(testDb.db, (tx) => tx.query('DELETE FROM audit_log'))).rejects.toThrow(/permission denied/);
    await expect(asPlatform(testDb.db, (tx) => tx.query(`UPDATE audit_log SET action = 'x.y'`))).rejects.toThrow(/permission denied/);
  });

  it('lets the lookup functions answer one exact key only', async () => {
    const one = await testDb.db.query<{ id: number }>(`SELECT id FROM p88_auth_user_by_email('owner@beta.test')`);
    expect(one.rows).toEqual([{ id: users.betaOwner }]);
    const pattern = await testDb.db.query(`SELECT id FROM p88_auth_user_by_email('%')`);
    expect(pattern.rowCount).toBe(0);
    await expect(testDb.db.query(`SELECT p88_audit_anonymous('user.created', NULL, NULL, '{}')`)).rejects.toThrow(/auth\.\* actions only/);
  });

  it("leaves the caller's scope as it was after a lookup", async () => {
    const seen = await withPartner(testDb.db, acme.id, async (tx) => {
      await tx.query(`SELECT * FROM p88_auth_user_by_email('owner@beta.test')`);
      await tx.query(`SELECT * FROM p88_auth_session($1)`, [hashSecret('x')]);
      await tx.query(`SELECT p88_audit_anonymous('auth.test.probe', NULL, NULL, '{}')`);
      return tx.query<{ email: string }>('SELECT email FROM users');
    });
    expect(seen.rows.length).toBeGreaterThan(0);
    expect(seen.rows.every((r) => r.email.endsWith('@acme.test'))).toBe(true);
  });
});

describe('password reset', () => {
  it('mails a single-use link; the new password works, the old one and the old sessions do not', async () => {
    const { user } = await t.app.accounts.users.create({ email: 'forgetful@acme.test', role: 'staff', partnerId: acme.id, password: PASSWORD });
    const before = await signIn('forgetful@acme.test');
    const res = await app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: 'Forgetful@acme.test' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, delivery: 'log' }); // no SMTP in tests: the link is in the log
    const mail = t.mails().filter((m) => m.to === 'forgetful@acme.test').at(-1)!;
    expect(mail.text).toMatch(/ https?:\/\/\S+\/reset-password#token=[A-Za-z0-9_-]{43}$/m);
    const token = tokenInMail(mail.text);
    const stored = await testDb.owner.query<{ token_hash: string }>('SELECT token_hash FROM password_resets WHERE user_id = $1', [user.id]);
    expect(stored.rows.map((r) => r.token_hash)).toEqual([hashSecret(token)]);

    const newPassword = 'a brand new passphrase';
    const confirm = await app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: newPassword } });
    expect(confirm.statusCode, confirm.body).toBe(204);
    expectError(await withSession(before, 'GET', '/api/auth/me'), 401, 'unauthorized');
    expectError(await login('forgetful@acme.test', PASSWORD), 401, 'unauthorized');
    expect((await login('forgetful@acme.test', newPassword)).statusCode).toBe(200);
    // Single use.
    const again = await app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: 'yet another passphrase' } });
    expectError(again, 404, 'not_found');
  });

  it('answers an unknown email the same, sending nothing', async () => {
    const before = t.mails().length;
    const res = await app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: 'nobody@acme.test' } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, delivery: 'log' }); // no SMTP in tests: the link is in the log
    expect(t.mails().length).toBe(before);
  });

  it('answers the same when the mail cannot be delivered, and logs the failure', async () => {
    const warned: unknown[] = [];
    const failing = new Accounts({
      db: testDb.db,
      log: { info: () => {}, warn: (...a: unknown[]) => void warned.push(a) },
      mailer: { delivers: true, send: async () => Promise.reject(new Error('smtp down')) },
      links: linksFor(TEST_PUBLIC_URL),
    });
    await expect(failing.signIn.requestPasswordReset('viewer@acme.test', { ip: freshIp(), userAgent: null })).resolves.toBeUndefined();
    expect(JSON.stringify(warned)).toContain('smtp down');
  });

  it('refuses an expired link and a short password', async () => {
    await app.inject({ method: 'POST', url: '/api/auth/password-reset/request', payload: { email: 'viewer@acme.test' } });
    const token = tokenInMail(t.mails().filter((m) => m.to === 'viewer@acme.test').at(-1)!.text);
    const short = await app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: 'short' } });
    expectError(short, 400, 'bad_request');
    await testDb.owner.query(`UPDATE password_resets SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, [hashSecret(token)]);
    const expired = await app.inject({ method: 'POST', url: '/api/auth/password-reset/confirm', payload: { token, password: 'long enough password' } });
    expectError(expired, 404, 'not_found');
    expect((await login('viewer@acme.test')).statusCode).toBe(200);
  });
});

describe('invitations', () => {
  it('invites to the partner with a role; accepting creates the user there, once', async () => {
    const s = await signIn('admin@acme.test');
    const res = await withSession(s, 'POST', '/api/invitations', { email: 'New.Hire@acme.test', role: 'staff' });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body.invitation).toMatchObject({ email: 'new.hire@acme.test', role: 'staff', invited_by: users.acmeAdmin, accepted_at: null });
    expect(body.accept_url).toMatch(/^https?:\/\/\S+\/accept-invitation#token=[A-Za-z0-9_-]{43}$/);
    expect(t.mails().at(-1)).toMatchObject({ to: 'new.hire@acme.test' });
    const token = tokenInMail(body.accept_url);

    const accept = await app.inject({ method: 'POST', url: '/api/auth/invitations/accept', payload: { token, password: 'new hire password', name: 'New Hire' } });
    expect(accept.statusCode, accept.body).toBe(201);
    expect(accept.json().user).toMatchObject({ email: 'new.hire@acme.test', role: 'staff', partner_id: acme.id, name: 'New Hire' });
    const again = await app.inject({ method: 'POST', url: '/api/auth/invitations/accept', payload: { token, password: 'new hire password' } });
    expectError(again, 404, 'not_found');

    const signedIn = await login('new.hire@acme.test', 'new hire password');
    expect(signedIn.json().partner.slug).toBe('acme');
    const list = (await withSession(s, 'GET', '/api/invitations')).json().invitations;
    expect(list[0]).toMatchObject({ email: 'new.hire@acme.test', accepted_at: expect.any(String) });
  });

  it('does not let an admin invite an owner, and a revoked invitation cannot be accepted', async () => {
    const s = await signIn('admin@acme.test');
    expectError(await withSession(s, 'POST', '/api/invitations', { email: 'boss@acme.test', role: 'owner' }), 403, 'forbidden');
    const res = await withSession(s, 'POST', '/api/invitations', { email: 'maybe@acme.test', role: 'viewer' });
    const { invitation, accept_url } = res.json();
    expect((await withSession(s, 'DELETE', `/api/invitations/${invitation.id}`)).statusCode).toBe(204);
    const accept = await app.inject({ method: 'POST', url: '/api/auth/invitations/accept', payload: { token: tokenInMail(accept_url), password: 'some long password' } });
    expectError(accept, 404, 'not_found');
  });

  it('with SMTP, hands the link to the invitee only: the inviter gets no accept_url', async () => {
    const sent: Array<{ to: string; text: string }> = [];
    const smtp = new Accounts({ db: testDb.db, log: { info: () => {}, warn: () => {} }, mailer: { delivers: true, send: async (m) => void sent.push(m) }, links: linksFor(TEST_PUBLIC_URL) });
    const auth = { userId: users.acmeAdmin!, partnerId: acme.id, role: 'admin' as const, via: 'session' as const, scopes: [], sessionId: null, tokenId: null };
    const created = await smtp.invitations.create(auth, { email: 'mailed@acme.test', role: 'viewer' }, { ip: null, userAgent: null });
    expect(created).toMatchObject({ url: null, delivery: 'mail', invitation: { email: 'mailed@acme.test' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe('mailed@acme.test');
    expect(tokenInMail(sent[0]!.text)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Without SMTP (this app), the link is in the answer: the log is the only other place it is.
    const s = await signIn('admin@acme.test');
    const logged = (await withSession(s, 'POST', '/api/invitations', { email: 'logged@acme.test', role: 'viewer' })).json();
    expect(logged.delivery).toBe('log');
    expect(logged.accept_url).toMatch(/accept-invitation#token=/);
  });

  it('answers accepting an invitation to an address with an account exactly like an invalid link', async () => {
    const s = await signIn('admin@acme.test');
    const { accept_url } = (await withSession(s, 'POST', '/api/invitations', { email: 'owner@beta.test', role: 'viewer' })).json();
    const taken = await app.inject({ method: 'POST', url: '/api/auth/invitations/accept', payload: { token: tokenInMail(accept_url), password: 'some long password' } });
    const bogus = await app.inject({ method: 'POST', url: '/api/auth/invitations/accept', payload: { token: 'A'.repeat(43), password: 'some long password' } });
    const a = expectError(taken, 404, 'not_found');
    const b = expectError(bogus, 404, 'not_found');
    expect(a.message).toBe(b.message);
  });

  it("cannot revoke another partner's invitation", async () => {
    const a = await signIn('owner@acme.test');
    const b = await signIn('owner@beta.test');
    const { invitation } = (await withSession(a, 'POST', '/api/invitations', { email: 'x1@acme.test', role: 'viewer' })).json();
    expectError(await withSession(b, 'DELETE', `/api/invitations/${invitation.id}`), 404, 'not_found');
  });
});

describe('housekeeping', () => {
  it('deletes sessions expired over a day ago, and nothing live', async () => {
    const live = await signIn('viewer@acme.test');
    const old = await signIn('viewer@acme.test');
    await testDb.owner.query(`UPDATE user_sessions SET expires_at = now() - interval '2 days' WHERE token_hash = $1`, [hashSecret(old.cookie)]);
    const removed = await t.app.accounts.deleteExpired();
    expect(removed.sessions).toBeGreaterThanOrEqual(1);
    const left = await testDb.owner.query<{ token_hash: string }>('SELECT token_hash FROM user_sessions');
    const hashes = left.rows.map((r) => r.token_hash);
    expect(hashes).toContain(hashSecret(live.cookie));
    expect(hashes).not.toContain(hashSecret(old.cookie));
  });
});

describe('OpenAPI', () => {
  it('documents the accounts routes', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    const paths = [
      '/api/auth/login', '/api/auth/logout', '/api/auth/me', '/api/auth/password', '/api/auth/password-reset/request',
      '/api/auth/password-reset/confirm', '/api/auth/invitations/accept', '/api/tokens', '/api/tokens/{id}', '/api/users',
      '/api/invitations', '/api/invitations/{id}', '/api/audit', '/api/users/{id}', '/api/platform/partners',
    ];
    for (const p of paths) {
      expect(doc.paths[p], p).toBeDefined();
    }
    expect(doc.paths['/api/auth/login'].post.requestBody.content['application/json'].schema.properties.email).toBeDefined();
    expect(doc.paths['/api/tokens'].post.responses['403'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErrorResponse' });
  });
});
