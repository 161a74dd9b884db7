import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/db.js';
import { linksFor } from '../accounts/accounts.common.js';
import { Accounts } from '../accounts/accounts.service.js';
import type { Mailer } from '../accounts/mailer.js';
import { runCli } from '../cli.js';
import { ensurePlatformOwner } from './accounts.js';
import type { Output } from './context.js';
import { captureOutput as capture } from '../../test/helpers/cli.js';

const noMail: Mailer = { delivers: false, send: async () => {} };
const quietLog = { info: () => {}, warn: () => {} };


describe('ensurePlatformOwner', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('creates the platform owner once on an empty database and prints its password once', async () => {
    const printed: string[] = [];
    const logged: unknown[] = [];
    const log = { info: (...a: unknown[]) => void logged.push(a) };
    const email = await ensurePlatformOwner(testDb.owner, log, { email: 'Boss@Example.com', print: (t) => printed.push(t) });
    expect(email).toBe('boss@example.com');
    expect(printed).toHaveLength(1);
    const password = /password {2}(\S+)/.exec(printed[0]!)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(JSON.stringify(logged)).not.toContain(password!);

    const row = await testDb.owner.query<{ role: string; partner_id: number | null; password_hash: string }>(
      `SELECT role, partner_id, password_hash FROM users WHERE email = 'boss@example.com'`,
    );
    expect(row.rows[0]).toMatchObject({ role: 'platform_admin', partner_id: null });
    expect(row.rows[0]!.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.rows[0]!.password_hash).not.toContain(password!);

    // The printed password signs in.
    const accounts = new Accounts({ db: testDb.db, log: quietLog, mailer: noMail, links: linksFor('http://x') });
    const signed = await accounts.signIn.login('boss@example.com', password!, { ip: '127.0.0.1', userAgent: null });
    expect(signed.user.role).toBe('platform_admin');
    expect(signed.partner).toBeNull();

    // Never again, even from several starts at once.
    const again = await Promise.all([1, 2, 3].map(() => ensurePlatformOwner(testDb.owner, log, { print: (t) => printed.push(t) })));
    expect(again).toEqual([null, null, null]);
    expect(printed).toHaveLength(1);
    const count = await testDb.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(count.rows[0]!.n).toBe(1);
  });
});

describe('p88 partner create / p88 user create', () => {
  let testDb: TestDatabase;
  let accounts: Accounts;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    accounts = new Accounts({ db: testDb.db, log: quietLog, mailer: noMail, links: linksFor('http://x') });
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const p88 = (args: string[], io: Output) => runCli(args, { io, accounts });

  it('creates a partner, and refuses a duplicate slug or a bad one', async () => {
    const io = capture();
    expect(await p88(['partner', 'create', '--slug', 'acme', '--name', 'Acme Timing'], io)).toBe(0);
    expect(io.stdout).toMatch(/^partner created: id \d+, slug acme, name "Acme Timing"\n$/);
    const dup = capture();
    expect(await p88(['partner', 'create', '--slug', 'acme', '--name', 'Again'], dup)).toBe(1);
    expect(dup.stderr).toContain('exists already');
    const bad = capture();
    expect(await p88(['partner', 'create', '--slug', 'Not OK', '--name', 'x'], bad)).toBe(1);
    const usage = capture();
    expect(await p88(['partner', 'create', '--slug', 'x'], usage)).toBe(2);
    expect(usage.stderr).toBe(`p88 partner create: required option '--name <name>' not specified (see p88 partner create --help)\n`);
  });

  it('prints one JSON document with --json', async () => {
    const io = capture();
    expect(await p88(['partner', 'create', '--slug', 'json-co', '--name', 'Json Co', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ id: expect.any(Number), slug: 'json-co', name: 'Json Co' });
    const user = capture();
    expect(await p88(['user', 'create', '--email', 'Staff@Json.test', '--partner', 'json-co', '--role', 'staff', '--json'], user)).toBe(0);
    const printed = JSON.parse(user.stdout) as { email: string; generatedPassword: string };
    expect(printed).toEqual({ id: expect.any(Number), email: 'staff@json.test', role: 'staff', partner: 'json-co', generatedPassword: expect.any(String) });
    expect((await accounts.signIn.login('staff@json.test', printed.generatedPassword, { ip: '127.0.0.4', userAgent: null })).partner?.slug).toBe('json-co');
    expect(user.stderr).toBe('');
  });

  it('creates a partner user with a generated password shown once, and a platform admin', async () => {
    const io = capture();
    expect(await p88(['user', 'create', '--email', 'Owner@Acme.test', '--partner', 'acme', '--role', 'owner'], io)).toBe(0);
    expect(io.stdout).toMatch(/^user created: id \d+, email owner@acme\.test, role owner, partner acme\n/);
    const password = /password \(shown only now\): (\S+)/.exec(io.stdout)?.[1];
    expect(password).toBeDefined();
    const signed = await accounts.signIn.login('owner@acme.test', password!, { ip: '127.0.0.2', userAgent: null });
    expect(signed.partner?.slug).toBe('acme');

    const admin = capture();
    expect(await p88(['user', 'create', '--email', 'ops@p88.test', '--platform', '--role', 'platform_admin', '--password', 'a long enough password'], admin)).toBe(0);
    expect(admin.stdout).not.toContain('password');
    expect((await accounts.signIn.login('ops@p88.test', 'a long enough password', { ip: '127.0.0.3', userAgent: null })).user.partner_id).toBeNull();
  });

  it('`p88 user unlock` lets a throttled platform admin back in from the throttled address', async () => {
    const create = capture();
    expect(await p88(['user', 'create', '--email', 'locked@p88.test', '--platform', '--role', 'platform_admin', '--password', 'the right password'], create)).toBe(0);
    const ctx = { ip: '10.9.9.9', userAgent: null };
    for (let i = 0; i < 5; i++) await expect(accounts.signIn.login('locked@p88.test', `wrong password ${i}`, ctx)).rejects.toMatchObject({ code: 'unauthorized' });
    await expect(accounts.signIn.login('locked@p88.test', 'the right password', ctx)).rejects.toMatchObject({ code: 'account_locked' });
    const io = capture();
    expect(await p88(['user', 'unlock', '--email', 'Locked@p88.test', '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toEqual({ id: expect.any(Number), email: 'locked@p88.test', throttles_cleared: 1 });
    expect((await accounts.signIn.login('locked@p88.test', 'the right password', ctx)).user.email).toBe('locked@p88.test');
    const unknown = capture();
    expect(await p88(['user', 'unlock', '--email', 'nobody@p88.test'], unknown)).toBe(1);
    expect(unknown.stderr).toBe('p88: No user with the email nobody@p88.test.\n');
  });

  it('refuses wrong combinations with one usage line, unknown partners and duplicates with a message', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['--email', 'a@acme.test', '--role', 'owner'], 2, /give either --partner <slug> or --platform/],
      [['--email', 'a@acme.test', '--partner', 'acme', '--platform', '--role', 'owner'], 2, /'--partner <slug>' cannot be used with option '--platform'/],
      [['--email', 'a@acme.test', '--partner', 'acme', '--role', 'platform_admin'], 2, /--role platform_admin goes with --platform/],
      [['--email', 'a@acme.test', '--platform', '--role', 'owner'], 2, /--role platform_admin goes with --platform/],
      [['--email', 'a@acme.test', '--partner', 'acme', '--role', 'chief'], 2, /'--role <role>' argument 'chief' is invalid\. Allowed choices are platform_admin, owner/],
      [['--partner', 'acme', '--role', 'staff'], 2, /required option '--email <email>' not specified/],
      [['--email', 'a@acme.test', '--partner', 'acme', '--role', 'staff', '--bogus'], 2, /unknown option '--bogus'/],
      [['--email', 'a@acme.test', '--partner', 'nope', '--role', 'staff'], 1, /^p88: No partner "nope"\.\n$/],
      [['--email', 'owner@acme.test', '--partner', 'acme', '--role', 'staff'], 1, /^p88: .+\n$/],
      [['--email', 'b@acme.test', '--partner', 'acme', '--role', 'staff', '--password', 'short'], 1, /^p88: .+\n$/],
    ];
    for (const [args, code, message] of cases) {
      const io = capture();
      expect(await p88(['user', 'create', ...args], io), args.join(' ')).toBe(code);
      expect(io.stdout, args.join(' ')).toBe('');
      expect(io.stderr, args.join(' ')).toMatch(message);
      if (code === 2) expect(io.stderr, args.join(' ')).toMatch(/^p88 user create: [^\n]+ \(see p88 user create --help\)\n$/);
    }
    const created = await testDb.owner.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE email LIKE '%@acme.test' AND email <> 'owner@acme.test'`);
    expect(created.rows[0]!.n).toBe(0);
  });
});
