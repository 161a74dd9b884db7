/** The credential fields of every provider as command-line options (--api-key, --client-secret, …). */
import { PROVIDER_DEFINITIONS } from '../providers/index.js';

export interface ProviderCliOptions {
  partner: string;
  provider?: string;
  connection?: string;
  test?: boolean;
  json?: boolean;
  verbose?: boolean;
  [field: string]: unknown;
}

export const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** One option per distinct field name, described with the providers that use it. */
export function credentialOptions(): { name: string; flags: string; description: string }[] {
  const byName = new Map<string, { label: string; providers: string[]; secret: boolean; list: boolean }>();
  for (const d of Object.values(PROVIDER_DEFINITIONS)) {
    for (const f of d.fields) {
      const cur = byName.get(f.name) ?? { label: f.label, providers: [], secret: f.secret, list: f.list === true };
      cur.providers.push(d.name);
      cur.secret ||= f.secret;
      byName.set(f.name, cur);
    }
  }
  return [...byName].map(([name, f]) => ({
    name,
    flags: `--${kebab(name)} <${f.list ? 'a,b,…' : 'value'}>`,
    description: `${f.label}${f.secret ? ' (secret: never printed)' : ''} — ${f.providers.join(', ')}`,
  }));
}

/** The given options that are this provider's fields (lists split on commas). */
export function credentialFields(provider: keyof typeof PROVIDER_DEFINITIONS, opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of PROVIDER_DEFINITIONS[provider].fields) {
    const v = opts[f.name];
    if (typeof v !== 'string') continue;
    out[f.name] = f.list ? v.split(',').map((s) => s.trim()).filter(Boolean) : v;
  }
  return out;
}

/** Options given that this provider does not take (a typo, or another provider's field). */
export function foreignFields(provider: keyof typeof PROVIDER_DEFINITIONS, opts: Record<string, unknown>): string[] {
  const mine = new Set(PROVIDER_DEFINITIONS[provider].fields.map((f) => f.name));
  return credentialOptions().filter((o) => opts[o.name] !== undefined && !mine.has(o.name)).map((o) => `--${kebab(o.name)}`);
}
