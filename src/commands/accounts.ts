/**
 * Account commands for scripts and first run:
 *   p88 partner create --slug acme --name "Acme Timing"
 *   p88 user create --email a@b.c (--partner <slug> | --platform) --role <role> [--name N] [--password P]
 * and ensurePlatformOwner, which `p88 start` / `p88 web` call on an empty database.
 * Generated passwords are printed once, to stdout, never to the log and never stored in clear.
 */
import { parseArgs } from 'node:util';
import { linksFor } from '../accounts/accounts.common.js';
import { Accounts } from '../accounts/accounts.service.js';
import { insertAudit } from '../accounts/audit.repo.js';
import { logMailer } from '../accounts/mailer.js';
import { generatePassword, hashPassword } from '../accounts/passwords.js';
import { anyUserExists, insertUser, lockFirstRun } from '../accounts/users.repo.js';
import { isRole, ROLES } from '../shared/permissions.js';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { openRuntime } from '../runtime.js';

/** Where a command writes: its answer (stdout) and its complaints (stderr). */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Output = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const PARTNER_USAGE = 'usage: p88 partner create --slug <slug> --name "<name>"\n';
const USER_USAGE =
  `usage: p88 user create --email <email> (--partner <slug> | --platform) --role <role> [--name "<name>"] [--password <password>]\n` +
  `  roles: ${ROLES.join(', ')} (platform_admin with --platform only)\n` +
  `  without --password a random one is generated and printed once\n`;

/** `p88 partner create`: the testable body, over the accounts services. */
export async function runPartnerCommand(args: string[], accounts: Accounts, io: Output): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { slug: { type: 'string' }, name: { type: 'string' } },
  });
  if (positionals[0] !== 'create' || !values.slug || !values.name) {
    io.err(PARTNER_USAGE);
    return 2;
  }
  return reportAppErrors(io, async () => {
    const p = await accounts.partners.create({ slug: values.slug!, name: values.name! });
    io.out(`partner created: id ${p.id}, slug ${p.slug}, name "${p.name}"\n`);
  });
}

/** `p88 user create`: the testable body, over the accounts services. */
export async function runUserCommand(args: string[], accounts: Accounts, io: Output): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      partner: { type: 'string' },
      platform: { type: 'boolean', default: false },
      role: { type: 'string' },
      name: { type: 'string' },
      password: { type: 'string' },
    },
  });
  const role = values.role;
  if (
    positionals[0] !== 'create' ||
    !values.email ||
    !role ||
    !isRole(role) ||
    (values.partner === undefined) === !values.platform ||
    (role === 'platform_admin') !== values.platform
  ) {
    io.err(USER_USAGE);
    return 2;
  }
  return reportAppErrors(io, async () => {
    let partnerId: number | null = null;
    if (values.partner !== undefined) {
      const partner = await accounts.partners.findBySlug(values.partner);
      if (!partner) throw new AppError('not_found', `No partner "${values.partner}".`);
      partnerId = partner.id;
    }
    const { user, generatedPassword } = await accounts.users.create({
      email: values.email!,
      name: values.name ?? '',
      role,
      partnerId,
      password: values.password,
    });
    io.out(`user created: id ${user.id}, email ${user.email}, role ${user.role}${values.partner ? `, partner ${values.partner}` : ''}\n`);
    if (generatedPassword) io.out(`password (shown only now): ${generatedPassword}\n`);
  });
}

async function reportAppErrors(io: Output, fn: () => Promise<void>): Promise<number> {
  try {
    await fn();
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`p88: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Opens the runtime, runs a command over the accounts services on the application connection. */
async function withAccounts(run: (accounts: Accounts) => Promise<number>): Promise<number> {
  const rt = await openRuntime();
  try {
    const accounts = new Accounts({
      db: rt.db,
      log: rt.log,
      mailer: logMailer(rt.log),
      links: linksFor(`http://localhost:${rt.config.PORT}`),
    });
    return await run(accounts);
  } finally {
    await rt.close();
  }
}

export function partnerCommand(args: string[]): Promise<number> {
  return withAccounts((accounts) => runPartnerCommand(args, accounts, stdio));
}

export function userCommand(args: string[]): Promise<number> {
  return withAccounts((accounts) => runUserCommand(args, accounts, stdio));
}

export interface PlatformOwnerOptions {
  email?: string;
  /** Where the one-time password goes (default stdout): a terminal, never the log. */
  print?: (text: string) => void;
  /** Where to sign in, for the message. */
  signInUrl?: string;
}

/**
 * On a database without users, creates the platform owner (a platform admin) with a random
 * password and prints it once. Does nothing when any user exists, so the password is never
 * shown again. Returns the new owner's email, or null when nothing was created.
 */
export async function ensurePlatformOwner(
  owner: Database,
  log: Pick<Logger, 'info'>,
  opts: PlatformOwnerOptions = {},
): Promise<string | null> {
  const email = (opts.email ?? 'admin@localhost').trim().toLowerCase();
  // The usual case (users exist) costs one query; the hash is only made when it may be needed.
  if (await asPlatform(owner, anyUserExists)) return null;
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const created = await asPlatform(owner, async (tx) => {
    await lockFirstRun(tx);
    if (await anyUserExists(tx)) return false;
    const u = await insertUser(tx, { partnerId: null, email, name: 'Platform owner', role: 'platform_admin', passwordHash });
    await insertAudit(tx, { partnerId: null, userId: null, actor: 'system', action: 'user.created', target: `user:${u.id}`, detail: { email, role: u.role, first_run: true } });
    return true;
  });
  if (!created) return null;
  log.info({ email }, 'first run: platform owner created; its password was printed to the terminal once');
  (opts.print ?? stdio.out)(
    `\nProject88Hub first run: platform owner created.\n` +
      `  email     ${email}\n` +
      `  password  ${password}\n` +
      `This password is shown only now. Sign in${opts.signInUrl ? ` at ${opts.signInUrl}` : ''} and keep it safe.\n\n`,
  );
  return email;
}
