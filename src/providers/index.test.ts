/** The registry: every provider has an adapter whose capabilities match its definition, and credentials are checked by name. */
import { describe, expect, it } from 'vitest';
import { createAdapter, CREDENTIAL_SCHEMAS, PROVIDER_DEFINITIONS, PROVIDERS } from './index.js';

const SAMPLE: Record<string, unknown> = {
  runsignup: { apiKey: 'k', apiSecret: 's' },
  ctlive: { clientId: 'c', userId: 'u', password: 'p' },
  raceroster: { clientId: 'c', clientSecret: 's', username: 'u', password: 'p' },
  ultrasignup: {},
  active: { apiKey: 'k', accountToken: 't' },
  eventbrite: { token: 't' },
  copernico: { apiKey: 'k', login: 'l', raceSlugs: 'a-race, b-race' },
  haku: { token: 't', organizationId: 'o' },
};

describe('provider registry', () => {
  it.each(PROVIDERS)('%s: the adapter offers what its definition says', (name) => {
    const a = createAdapter(name, SAMPLE[name]);
    const d = PROVIDER_DEFINITIONS[name];
    expect(a.provider).toBe(name);
    expect(typeof a.pullResults === 'function').toBe(d.results);
    expect(typeof a.pushResults === 'function').toBe(d.pushResults);
    // The form's required fields are the schema's.
    const required = d.fields.filter((f) => f.required).map((f) => f.name);
    for (const field of required) {
      const without = { ...(SAMPLE[name] as object), [field]: undefined };
      if (name === 'runsignup') continue; // an access token replaces key and secret
      expect(CREDENTIAL_SCHEMAS[name].safeParse(without).success).toBe(false);
    }
  });

  it('names a missing field, never a value', () => {
    expect(() => createAdapter('raceroster', { clientId: 'c', clientSecret: 'TOPSECRET', username: 'u' })).toThrow('The Race Roster connection is missing or has a bad password.');
    expect(() => createAdapter('copernico', { apiKey: 'k', login: 'l', raceSlugs: ' , ' })).toThrow(/raceSlugs/);
    try {
      createAdapter('raceroster', { clientId: 'c', clientSecret: 'TOPSECRET', username: 'u' });
    } catch (err) {
      expect(JSON.stringify(err) + String(err)).not.toContain('TOPSECRET');
    }
  });
});
