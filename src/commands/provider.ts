/**
 * p88 provider add|list|test|remove --partner <slug> … (options in provider.command.ts).
 * The same service as /api/providers: credentials checked against the provider's schema,
 * sealed with the platform key (SECRET_KEY or the data directory's key), never printed — the
 * answers carry only the fields PROVIDER_DEFINITIONS does not mark secret.
 */
import { loadSecretKey, SecretBox } from '../accounts/secret-box.js';
import { asPlatform } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { baseUrlsOf, isProviderName, PROVIDER_DEFINITIONS } from '../providers/index.js';
import { openRuntime, type Runtime } from '../runtime.js';
import { ProviderConnections, type ConnectionRow } from '../sync/provider-connections.service.js';
import { UsageError, type Output } from './context.js';
import { credentialFields, foreignFields, kebab, type ProviderCliOptions } from './provider-fields.js';

interface Scope {
  rt: Runtime;
  partnerId: number;
  connections: ProviderConnections;
}

/** Opens the runtime and the partner's connections; AppErrors print as `p88: …` and exit 1. */
async function withScope(opts: ProviderCliOptions, io: Output, fn: (s: Scope) => Promise<number>): Promise<number> {
  const rt = await openRuntime({ command: { verbose: opts.verbose } });
  try {
    const partner = (await asPlatform(rt.db, (tx) => tx.query<{ id: number }>('SELECT id FROM partners WHERE slug = $1', [opts.partner]))).rows[0];
    if (!partner) throw new AppError('not_found', `no partner "${opts.partner}"`);
    const box = new SecretBox(await loadSecretKey(rt.config.secretKey, rt.config.dataDir));
    return await fn({ rt, partnerId: partner.id, connections: new ProviderConnections(rt.db, box, baseUrlsOf(rt.config)) });
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

/** The connection named by --connection, else the partner's one of --provider. */
export async function resolveConnection(connections: ProviderConnections, partnerId: number, opts: { provider?: string | undefined; connection?: string | undefined }): Promise<ConnectionRow> {
  if (opts.connection === undefined && opts.provider === undefined) throw new UsageError('give --provider <name> or --connection <id>');
  const list = await connections.list(partnerId);
  if (opts.connection !== undefined) {
    const id = Number(opts.connection);
    if (!Number.isInteger(id) || id <= 0) throw new UsageError('--connection must be a connection id (p88 provider list)');
    const c = list.find((x) => x.id === id);
    if (!c) throw new AppError('not_found', `provider connection ${id} not found for this partner`);
    return c;
  }
  const c = list.find((x) => x.provider === opts.provider);
  if (!c) throw new AppError('not_found', `${opts.provider} connection not found: not connected for this partner (p88 provider add)`);
  return c;
}

const describe = (c: ConnectionRow) => {
  const fields = Object.entries(c.public_fields).map(([k, v]) => `${k}=${v}`).join(' ');
  const test = c.last_tested_at ? (c.last_test_error ? `test failed ${c.last_tested_at.toISOString()}: ${c.last_test_error}` : `test ok ${c.last_tested_at.toISOString()}`) : 'not tested';
  return `${c.id}\t${c.provider}\t${fields || '-'}\t${test}`;
};

export function providerAddCommand(opts: ProviderCliOptions, io: Output): Promise<number> {
  const provider = opts.provider ?? '';
  if (!isProviderName(provider)) throw new UsageError(`--provider must be one of ${Object.keys(PROVIDER_DEFINITIONS).join(', ')}`);
  const foreign = foreignFields(provider, opts);
  if (foreign.length) throw new UsageError(`${PROVIDER_DEFINITIONS[provider].label} takes no ${foreign.join(', ')} (see p88 provider add --help)`);
  const missing = PROVIDER_DEFINITIONS[provider].fields.filter((f) => f.required && typeof opts[f.name] !== 'string').map((f) => `--${kebab(f.name)}`);
  if (missing.length) throw new UsageError(`${PROVIDER_DEFINITIONS[provider].label} needs ${missing.join(', ')}`);
  return withScope(opts, io, async ({ partnerId, connections }) => {
    const c = await connections.create(partnerId, provider, credentialFields(provider, opts));
    let tested: Awaited<ReturnType<ProviderConnections['test']>> | undefined;
    if (opts.test) tested = await connections.test(partnerId, c.id);
    const row = tested?.connection ?? c;
    if (opts.json) io.out(`${JSON.stringify({ connection: row, test: tested ? { ok: tested.ok, kind: tested.kind, message: tested.message } : null })}\n`);
    else {
      io.out(`connected ${PROVIDER_DEFINITIONS[provider].label}: connection ${c.id}\n`);
      if (tested) io.out(tested.ok ? 'test: ok\n' : `test failed (${tested.kind}): ${tested.message}\n`);
    }
    return tested && !tested.ok ? 1 : 0;
  });
}

export function providerListCommand(opts: ProviderCliOptions, io: Output): Promise<number> {
  return withScope(opts, io, async ({ partnerId, connections }) => {
    const list = await connections.list(partnerId);
    if (opts.json) io.out(`${JSON.stringify(list)}\n`);
    else if (list.length === 0) io.out('no provider connections\n');
    else io.out(`${list.map(describe).join('\n')}\n`);
    return 0;
  });
}

export function providerTestCommand(opts: ProviderCliOptions, io: Output): Promise<number> {
  return withScope(opts, io, async ({ partnerId, connections }) => {
    const c = await resolveConnection(connections, partnerId, opts);
    const out = await connections.test(partnerId, c.id);
    if (opts.json) io.out(`${JSON.stringify({ ok: out.ok, kind: out.kind, message: out.message, connection: out.connection })}\n`);
    else io.out(out.ok ? `${c.provider} connection ${c.id}: ok\n` : `${c.provider} connection ${c.id} failed (${out.kind}): ${out.message}\n`);
    return out.ok ? 0 : 1;
  });
}

export function providerRemoveCommand(opts: ProviderCliOptions, io: Output): Promise<number> {
  return withScope(opts, io, async ({ partnerId, connections }) => {
    const c = await resolveConnection(connections, partnerId, opts);
    await connections.remove(partnerId, c.id);
    if (opts.json) io.out(`${JSON.stringify({ removed: c.id, provider: c.provider })}\n`);
    else io.out(`removed ${c.provider} connection ${c.id}\n`);
    return 0;
  });
}
