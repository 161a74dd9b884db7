/**
 * The provider registry: what each provider needs (credential fields, which base URLs), what
 * it offers (participants, results, pushing results back), and createAdapter, the one way
 * the rest of the product gets an adapter. Base URLs come from configuration (trusted; see
 * baseUrlsOf), credentials from the partner's stored connection.
 */
import { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { ActiveAdapter, ACTIVE_BASE_URL } from './active/client.js';
import { CtLiveAdapter } from './chronotrack/adapter.js';
import { DEFAULT_BASE_URL as CTLIVE_BASE_URL } from './chronotrack/client.js';
import { CopernicoAdapter, COPERNICO_BASE_URL } from './copernico/client.js';
import { EventbriteAdapter, EVENTBRITE_BASE_URL } from './eventbrite/client.js';
import { HakuAdapter, HAKU_BASE_URL } from './haku/client.js';
import type { HttpLog } from './http.js';
import { ProviderError } from './http.js';
import { RaceRosterAdapter, RACEROSTER_BASE_URL, RACEROSTER_RESULTS_BASE_URL } from './raceroster/client.js';
import { PROVIDERS, type ProviderName } from './records.js';
import { RunSignUpAdapter, RUNSIGNUP_BASE_URL } from './runsignup/client.js';
import { UltraSignupAdapter, ULTRASIGNUP_BASE_URL } from './ultrasignup/client.js';

export { PROVIDERS, type ProviderName } from './records.js';
export type { ProviderAdapter } from './adapter.js';
export { ProviderError } from './http.js';

export interface CredentialField {
  name: string;
  label: string;
  /** Never shown again after it is saved, never logged. */
  secret: boolean;
  required: boolean;
  /** A list entered comma-separated (Copernico's race slugs). */
  list?: boolean;
}

export interface ProviderDefinition {
  name: ProviderName;
  label: string;
  fields: CredentialField[];
  participants: boolean;
  results: boolean;
  pushResults: boolean;
  /** Incremental participant pulls (modified-after timestamps, changed_since). */
  incremental: boolean;
  /** Whether anything of its API is a guess (guessed-shapes.ts in its folder). */
  guessed: 'none' | 'some' | 'all';
}

const f = (name: string, label: string, secret: boolean, required = true, list = false): CredentialField => ({ name, label, secret, required, ...(list ? { list } : {}) });

export const PROVIDER_DEFINITIONS: Record<ProviderName, ProviderDefinition> = {
  runsignup: { name: 'runsignup', label: 'RunSignUp', fields: [f('apiKey', 'API key', false), f('apiSecret', 'API secret', true)], participants: true, results: true, pushResults: true, incremental: true, guessed: 'some' },
  ctlive: { name: 'ctlive', label: 'ChronoTrack Live', fields: [f('clientId', 'API client id', false), f('userId', 'User id (login)', false), f('password', 'Password', true)], participants: true, results: true, pushResults: true, incremental: false, guessed: 'some' },
  raceroster: { name: 'raceroster', label: 'Race Roster', fields: [f('clientId', 'OAuth client id', false), f('clientSecret', 'OAuth client secret', true), f('username', 'User name', false), f('password', 'Password', true)], participants: true, results: true, pushResults: false, incremental: false, guessed: 'some' },
  ultrasignup: { name: 'ultrasignup', label: 'UltraSignup', fields: [], participants: true, results: true, pushResults: false, incremental: false, guessed: 'some' },
  active: { name: 'active', label: 'ACTIVE.com', fields: [f('apiKey', 'Search API key', true), f('accountToken', 'ACTIVEWorks account token', true), f('organizationGuid', 'Organization GUID', false, false)], participants: true, results: false, pushResults: false, incremental: false, guessed: 'some' },
  eventbrite: { name: 'eventbrite', label: 'Eventbrite', fields: [f('token', 'Private token', true), f('bibQuestion', 'Bib question (text or id)', false, false)], participants: true, results: false, pushResults: false, incremental: true, guessed: 'some' },
  copernico: { name: 'copernico', label: 'Copernico', fields: [f('apiKey', 'API key', true), f('login', 'Login (preset owner)', false), f('raceSlugs', 'Race slugs', false, true, true), f('participantsPreset', 'Entrants preset', false, false), f('resultsPreset', 'Results preset', false, false)], participants: true, results: true, pushResults: false, incremental: false, guessed: 'some' },
  haku: { name: 'haku', label: 'Haku', fields: [f('token', 'API token', true), f('organizationId', 'Organization id', false)], participants: true, results: true, pushResults: false, incremental: true, guessed: 'all' },
};

/** Where each provider is reached; every field defaults to the real service. */
export interface ProviderBaseUrls {
  runsignup: string;
  ctlive: string;
  raceroster: string;
  racerosterResults: string;
  ultrasignup: string;
  active: string;
  eventbrite: string;
  copernico: string;
  haku: string;
}

export const DEFAULT_BASE_URLS: ProviderBaseUrls = {
  runsignup: RUNSIGNUP_BASE_URL,
  ctlive: CTLIVE_BASE_URL,
  raceroster: RACEROSTER_BASE_URL,
  racerosterResults: RACEROSTER_RESULTS_BASE_URL,
  ultrasignup: ULTRASIGNUP_BASE_URL,
  active: ACTIVE_BASE_URL,
  eventbrite: EVENTBRITE_BASE_URL,
  copernico: COPERNICO_BASE_URL,
  haku: HAKU_BASE_URL,
};

/** The *_BASE_URL variables of the configuration (src/config.ts), structurally: providers import nothing of ours. */
export interface BaseUrlConfig {
  RUNSIGNUP_BASE_URL?: string | undefined;
  CTLIVE_BASE_URL?: string | undefined;
  RACEROSTER_BASE_URL?: string | undefined;
  RACEROSTER_RESULTS_BASE_URL?: string | undefined;
  ULTRASIGNUP_BASE_URL?: string | undefined;
  ACTIVE_BASE_URL?: string | undefined;
  EVENTBRITE_BASE_URL?: string | undefined;
  COPERNICO_BASE_URL?: string | undefined;
  HAKU_BASE_URL?: string | undefined;
}

export function baseUrlsOf(config: BaseUrlConfig): ProviderBaseUrls {
  const d = DEFAULT_BASE_URLS;
  return {
    runsignup: config.RUNSIGNUP_BASE_URL ?? d.runsignup,
    ctlive: config.CTLIVE_BASE_URL ?? d.ctlive,
    raceroster: config.RACEROSTER_BASE_URL ?? d.raceroster,
    racerosterResults: config.RACEROSTER_RESULTS_BASE_URL ?? d.racerosterResults,
    ultrasignup: config.ULTRASIGNUP_BASE_URL ?? d.ultrasignup,
    active: config.ACTIVE_BASE_URL ?? d.active,
    eventbrite: config.EVENTBRITE_BASE_URL ?? d.eventbrite,
    copernico: config.COPERNICO_BASE_URL ?? d.copernico,
    haku: config.HAKU_BASE_URL ?? d.haku,
  };
}

const req = z.string().trim().min(1).max(500);
const opt = z.string().trim().max(500).optional();
const list = z.union([z.array(req), z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))]).pipe(z.array(req).min(1).max(50));

/** What createAdapter accepts per provider (the stored connection's fields). */
export const CREDENTIAL_SCHEMAS = {
  runsignup: z.union([z.object({ apiKey: req, apiSecret: req }), z.object({ accessToken: req })]),
  ctlive: z.object({ clientId: req, userId: req, password: req }),
  raceroster: z.object({ clientId: req, clientSecret: req, username: req, password: req }),
  ultrasignup: z.object({}),
  active: z.object({ apiKey: req, accountToken: req, organizationGuid: opt }),
  eventbrite: z.object({ token: req, bibQuestion: opt }),
  copernico: z.object({ apiKey: req, login: req, raceSlugs: list, participantsPreset: opt, resultsPreset: opt }),
  haku: z.object({ token: req, organizationId: req }),
} satisfies Record<ProviderName, z.ZodType>;

export interface AdapterOptions {
  signal?: AbortSignal | undefined;
  log?: HttpLog | undefined;
  timeoutMs?: number | undefined;
  maxAttempts?: number | undefined;
  retryBaseMs?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  /** Awaited before every request try: pass the job's ctx.throttle. */
  beforeRequest?: (() => Promise<void>) | undefined;
}

export function isProviderName(v: string): v is ProviderName {
  return (PROVIDERS as readonly string[]).includes(v);
}

/**
 * An adapter for a partner's connection. Credentials are checked against the provider's
 * schema first: a missing field is an invalid_request ProviderError naming it (never its value).
 */
export function createAdapter(provider: ProviderName, credentials: unknown, baseUrls: ProviderBaseUrls = DEFAULT_BASE_URLS, opts: AdapterOptions = {}): ProviderAdapter {
  const schema = CREDENTIAL_SCHEMAS[provider];
  const parsed = schema.safeParse(credentials ?? {});
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')).filter(Boolean))];
    throw new ProviderError('invalid_request', `The ${PROVIDER_DEFINITIONS[provider].label} connection is missing or has a bad ${fields.length ? fields.join(', ') : 'credential'}.`, { provider });
  }
  const c = parsed.data as never;
  switch (provider) {
    case 'runsignup':
      return new RunSignUpAdapter(c, { ...opts, baseUrl: baseUrls.runsignup });
    case 'ctlive':
      return new CtLiveAdapter({ ...(c as object as { clientId: string; userId: string; password: string }), ...opts, log: opts.log as never, baseUrl: baseUrls.ctlive });
    case 'raceroster':
      return new RaceRosterAdapter(c, { ...opts, baseUrl: baseUrls.raceroster, resultsBaseUrl: baseUrls.racerosterResults });
    case 'ultrasignup':
      return new UltraSignupAdapter({ ...opts, baseUrl: baseUrls.ultrasignup });
    case 'active':
      return new ActiveAdapter(c, { ...opts, baseUrl: baseUrls.active });
    case 'eventbrite':
      return new EventbriteAdapter(c, { ...opts, baseUrl: baseUrls.eventbrite });
    case 'copernico':
      return new CopernicoAdapter(c, { ...opts, baseUrl: baseUrls.copernico });
    case 'haku':
      return new HakuAdapter(c, { ...opts, baseUrl: baseUrls.haku });
  }
}
