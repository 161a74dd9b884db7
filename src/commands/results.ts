/**
 * Results warehouse commands (options in results.command.ts):
 *   p88 results import --partner <slug> FILE.csv
 *   p88 warehouse seed --scale N
 *   p88 token create|list|revoke --partner <slug> …
 */
import { readFile } from 'node:fs/promises';
import { ApiTokens } from '../accounts/api-tokens.service.js';
import type { Auth } from '../accounts/accounts.common.js';
import type { Database } from '../db/database.js';
import { asPlatform } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { Results } from '../results/results.service.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { TOKEN_SCOPES, type TokenScope } from '../shared/permissions.js';
import { UsageError, type Output } from './context.js';

export interface ResultsImportOptions {
  partner: string;
  json?: boolean;
  verbose?: boolean;
}
export interface WarehouseSeedOptions {
  scale: string;
  partners: string;
  seed: string;
  json?: boolean;
  verbose?: boolean;
}
export interface TokenCreateOptions {
  partner: string;
  name: string;
  scopes: string;
  expiresInDays?: string;
  json?: boolean;
  verbose?: boolean;
}
export interface TokenListOptions {
  partner: string;
  json?: boolean;
  verbose?: boolean;
}
export interface TokenRevokeOptions {
  partner: string;
  id: string;
  verbose?: boolean;
}

/** Finding a partner by slug is a platform-level question (the operator's CLI). */
async function partnerIdOf(db: Database, slug: string): Promise<number> {
  const r = await asPlatform(db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [slug]));
  const id = r.rows[0]?.id;
  if (id === undefined) throw new AppError('not_found', `no partner "${slug}"`);
  return id;
}

async function withRuntime(io: Output, verbose: boolean | undefined, fn: (rt: Runtime) => Promise<number>): Promise<number> {
  const rt = await openRuntime({ command: { verbose } });
  try {
    return await fn(rt);
  } catch (err) {
    if (err instanceof AppError) {
      io.err(`p88: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await rt.close();
  }
}

export async function resultsImportCommand(file: string, opts: ResultsImportOptions, io: Output): Promise<number> {
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (err) {
    io.err(`p88: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  return withRuntime(io, opts.verbose, async (rt) => {
    const summary = await new Results(rt.db).importCsv(await partnerIdOf(rt.db, opts.partner), csv);
    if (opts.json) io.out(`${JSON.stringify(summary)}\n`);
    else {
      io.out(`imported ${file}: ${summary.inserted} new, ${summary.updated} updated results in ${summary.races} race(s) of ${summary.events} event(s); ${summary.splits} splits\n`);
      for (const e of summary.errors) io.out(`  line ${e.row}: ${e.reason}\n`);
    }
    return summary.errors.length > 0 ? 1 : 0;
  });
}

/** The operator acting for a partner at the console: an owner's powers, no user behind it. */
function operatorFor(partnerId: number): Auth {
  return { userId: null, partnerId, role: 'owner', via: 'session', scopes: [], sessionId: null, tokenId: null };
}
const CONSOLE = { ip: null, userAgent: 'p88 cli' };

function parseScopes(list: string): TokenScope[] {
  const scopes = list.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = scopes.filter((s) => !(TOKEN_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || bad.length > 0) throw new UsageError(`--scopes: ${bad.length ? `unknown scope ${bad.join(', ')}; ` : ''}choose from ${TOKEN_SCOPES.join(', ')}`);
  return scopes as TokenScope[];
}

export async function tokenCreateCommand(opts: TokenCreateOptions, io: Output): Promise<number> {
  const scopes = parseScopes(opts.scopes);
  const days = opts.expiresInDays === undefined ? undefined : Number(opts.expiresInDays);
  if (days !== undefined && !(Number.isInteger(days) && days > 0 && days <= 3650)) throw new UsageError('--expires-in-days: a whole number from 1 to 3650');
  return withRuntime(io, opts.verbose, async (rt) => {
    const partnerId = await partnerIdOf(rt.db, opts.partner);
    const { token, secret } = await new ApiTokens(rt.db).create(operatorFor(partnerId), { name: opts.name, scopes, expiresInDays: days }, CONSOLE);
    io.out(opts.json ? `${JSON.stringify({ id: token.id, name: token.name, scopes: token.scopes, expires_at: token.expires_at, token: secret })}\n` : `token ${token.id} created (${token.scopes.join(',')}); shown only now:\n${secret}\n`);
    return 0;
  });
}

export async function tokenListCommand(opts: TokenListOptions, io: Output): Promise<number> {
  return withRuntime(io, opts.verbose, async (rt) => {
    const tokens = await new ApiTokens(rt.db).list(operatorFor(await partnerIdOf(rt.db, opts.partner)));
    if (opts.json) io.out(`${JSON.stringify(tokens)}\n`);
    else for (const t of tokens) io.out(`${t.id}\t${t.name}\t${t.token_hint}…\t${t.scopes.join(',')}\t${t.revoked_at ? 'revoked' : 'active'}\n`);
    return 0;
  });
}

export async function tokenRevokeCommand(opts: TokenRevokeOptions, io: Output): Promise<number> {
  const id = Number(opts.id);
  if (!Number.isInteger(id) || id <= 0) throw new UsageError('--id: a token id (see p88 token list)');
  return withRuntime(io, opts.verbose, async (rt) => {
    await new ApiTokens(rt.db).revoke(operatorFor(await partnerIdOf(rt.db, opts.partner)), id, CONSOLE);
    io.out(`token ${id} revoked\n`);
    return 0;
  });
}

export async function warehouseSeedCommand(opts: WarehouseSeedOptions, io: Output): Promise<number> {
  const scale = Number(opts.scale);
  const partners = Number(opts.partners);
  const seed = Number(opts.seed);
  if (!(scale > 0 && scale <= 2)) throw new UsageError('--scale: a number above 0, at most 2');
  if (!(Number.isInteger(partners) && partners >= 1 && partners <= 50)) throw new UsageError('--partners: a whole number from 1 to 50');
  if (!Number.isInteger(seed)) throw new UsageError('--seed: a whole number');
  return withRuntime(io, opts.verbose, async (rt) => {
    const { seedWarehouse } = await import('../results/warehouse-seed.js');
    // Its own owner connection: the seed's statements run for minutes at scale 1.
    const { openDatabase } = await import('../db/index.js');
    const owner = rt.config.DATABASE_URL ? await openDatabase({ url: rt.config.DATABASE_URL, max: 1, queryTimeoutMs: 3 * 3600_000 }) : rt.owner;
    let r;
    try {
      r = await seedWarehouse(owner, rt.db, { scale, partners, seed });
    } finally {
      if (owner !== rt.owner) await owner.close();
    }
    io.out(opts.json ? `${JSON.stringify(r)}\n` : `seeded ${r.events} events, ${r.races} races, ${r.entries} entries, ${r.results} results, ${r.splits} splits in ${(r.ms / 1000).toFixed(1)} s; tables and indexes ${r.size}\n`);
    return 0;
  });
}
