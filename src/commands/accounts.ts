/**
 * Account commands for scripts and first run (options declared in accounts.command.ts):
 *   p88 partner create --slug acme --name "Acme Timing"
 *   p88 user create --email a@b.c (--partner <slug> | --platform) --role <role> [--name N] [--password P]
 *   p88 user unlock --email a@b.c
 * and ensurePlatformOwner, which `p88 start` / `p88 web` call on an empty database.
 * Generated passwords are printed once, to stdout, never to the log and never stored in clear.
 */
import { linksFor } from '../accounts/accounts.common.js';
import { Accounts } from '../accounts/accounts.service.js';
import { insertAudit } from '../accounts/audit.repo.js';
import { logMailer } from '../accounts/mailer.js';
import { generatePassword, hashPassword } from '../accounts/passwords.js';
import { anyUserExists, insertUser, lockFirstRun } from '../accounts/users.repo.js';
import type { Role } from '../shared/permissions.js';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { AppError } from '../errors.js';
import type { Logger } from '../log.js';
import { openRuntime } from '../runtime.js';
import { stdio, UsageError, type CliContext, type Output } from './context.js';

export interface PartnerCreateOptions {
  slug: string;
  name: string;
  json?: boolean;
  verbose?: boolean;
}

export interface UserCreateOptions {
  email: string;
  partner?: string;
  platform?: boolean;
  role: Role;
  name?: string;
  password?: string;
  json?: boolean;
  verbose?: boolean;
}

export interface UserUnlockOptions {
  email: string;
  json?: boolean;
  verbose?: boolean;
}

/** `p88 partner create` over the accounts services. */
async function runPartnerCreate(opts: PartnerCreateOptions, accounts: Accounts, io: Output): Promise<number> {
  return reportAppErrors(io, async () => {
    const p = await accounts.partners.create({ slug: opts.slug, name: opts.name });
    io.out(opts.json ? `${JSON.stringify({ id: p.id, slug: p.slug, name: p.name })}\n` : `partner created: id ${p.id}, slug ${p.slug}, name "${p.name}"\n`);
  });
}

/** `p88 user create` over the accounts services. */
async function runUserCreate(opts: UserCreateOptions, accounts: Accounts, io: Output): Promise<number> {
  return reportAppErrors(io, async () => {
    let partnerId: number | null = null;
    if (opts.partner !== undefined) {
      const partner = await accounts.partners.findBySlug(opts.partner);
      if (!partner) throw new AppError('not_found', `No partner "${opts.partner}".`);
      partnerId = partner.id;
    }
    const { user, generatedPassword } = await accounts.users.create({
      email: opts.email,
      name: opts.name ?? '',
      role: opts.role,
      partnerId,
      password: opts.password,
    });
    if (opts.json) {
      io.out(`${JSON.stringify({ id: user.id, email: user.email, role: user.role, partner: opts.partner ?? null, generatedPassword })}\n`);
      return;
    }
    io.out(`user created: id ${user.id}, email ${user.email}, role ${user.role}${opts.partner ? `, partner ${opts.partner}` : ''}\n`);
    if (generatedPassword) io.out(`password (shown only now): ${generatedPassword}\n`);
  });
}

/** The combinations commander cannot check: a user belongs to a partner or to the platform. */
function checkUserOptions(opts: UserCreateOptions): void {
  const platform = opts.platform === true;
  if ((opts.partner === undefined) === !platform) throw new UsageError('give either --partner <slug> or --platform');
  if ((opts.role === 'platform_admin') !== platform) {
    throw new UsageError('--role platform_admin goes with --platform, the other roles with --partner');
  }
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

/** Runs a command over the test's accounts services, or over ones on a runtime opened for it. */
async function withAccounts(ctx: CliContext, verbose: boolean | undefined, run: (accounts: Accounts) => Promise<number>): Promise<number> {
  if (ctx.accounts) return run(ctx.accounts);
  const rt = await openRuntime({ command: { verbose } });
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

export function partnerCreateCommand(opts: PartnerCreateOptions, ctx: CliContext): Promise<number> {
  return withAccounts(ctx, opts.verbose, (accounts) => runPartnerCreate(opts, accounts, ctx.io));
}

export function userCreateCommand(opts: UserCreateOptions, ctx: CliContext): Promise<number> {
  checkUserOptions(opts);
  return withAccounts(ctx, opts.verbose, (accounts) => runUserCreate(opts, accounts, ctx.io));
}

/** `p88 user unlock`: lifts the account's sign-in throttles from every address. */
export function userUnlockCommand(opts: UserUnlockOptions, ctx: CliContext): Promise<number> {
  return withAccounts(ctx, opts.verbose, (accounts) =>
    reportAppErrors(ctx.io, async () => {
      const done = await accounts.signIn.unlock(opts.email);
      if (!done) throw new AppError('not_found', `No user with the email ${opts.email}.`);
      ctx.io.out(opts.json ? `${JSON.stringify({ id: done.userId, email: opts.email.trim().toLowerCase(), throttles_cleared: done.cleared })}\n` : `user ${done.userId} unlocked: ${done.cleared} throttled address(es) cleared\n`);
    }),
  );
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
