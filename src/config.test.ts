import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';
import { baseUrlsOf, DEFAULT_BASE_URLS } from './providers/index.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c).toMatchObject({
      PORT: 5000,
      COLLECTOR_HOST: '0.0.0.0',
      COLLECTOR_PORT: 61611,
      COLLECTOR_STATUS_PORT: 61612,
      LOG_LEVEL: 'info',
      ARCHIVE_AFTER_DAYS: 30,
      SESSION_NAME_FORMAT: 'Session_%Y%m%d_%H%M%S',
    });
    expect(c.dataDir).toBe(path.resolve('./data'));
  });

  it.each([
    ['PORT', 'eighty'],
    ['COLLECTOR_PORT', '70000'],
    ['COLLECTOR_STATUS_PORT', '-1'],
    ['DATABASE_URL', 'mysql://db/x'],
    ['REDIS_URL', 'http://cache'],
    ['LOG_LEVEL', 'loud'],
    ['EVENT_TIMEZONE', 'Mars/Olympus'],
    ['SECRET_KEY', 'short'],
    ['COLLECTOR_AUTH', 'kerberos'],
    ['COLLECTOR_ALLOW_ANONYMOUS', 'maybe'],
    ['JOBS_LEASE_SECONDS', '0'],
    ['JOBS_POLL_SECONDS', 'often'],
    ['ARCHIVE_INTERVAL_SECONDS', '0.01'],
    ['SYNC_CADENCE', 'every 4h, hourly'],
    ['RUNSIGNUP_BASE_URL', 'runsignup.com/Rest'],
    ['RACEROSTER_BASE_URL', 'ftp://raceroster.com/api/v1'],
    ['RACEROSTER_RESULTS_BASE_URL', 'not a url'],
    ['ULTRASIGNUP_BASE_URL', 'https://ultrasignup.com/service?x=1'],
    ['ACTIVE_BASE_URL', 'javascript:alert(1)'],
    ['EVENTBRITE_BASE_URL', 'www.eventbriteapi.com'],
    ['COPERNICO_BASE_URL', 'https://x/#frag'],
    ['CTLIVE_BASE_URL', 'api.chronotrack.com'],
    ['HAKU_BASE_URL', 'mailto:a@b'],
  ])('stops at start on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('accepts anonymous CTP01 clients on the embedded quick start, refuses them on a server deployment, unless told', () => {
    expect(loadConfig({}).COLLECTOR_ALLOW_ANONYMOUS).toBe(true);
    const server = { DATABASE_URL: 'postgres://u@h/db', SECRET_KEY: 'ab'.repeat(32) };
    expect(loadConfig(server).COLLECTOR_ALLOW_ANONYMOUS).toBe(false);
    expect(loadConfig({ ...server, COLLECTOR_ALLOW_ANONYMOUS: 'true' }).COLLECTOR_ALLOW_ANONYMOUS).toBe(true);
  });

  it('stops a server deployment without SECRET_KEY, saying what to do; the embedded quick start makes its own', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@h/db', SECRET_KEY: '' })).toThrow(/SECRET_KEY: required with DATABASE_URL.*openssl rand -hex 32/s);
    expect(loadConfig({}).secretKey).toBeNull();
  });

  it('has the job queue’s and schedules’ defaults, and says what is wrong with a cadence', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ JOBS_LEASE_SECONDS: 30, JOBS_POLL_SECONDS: 1, JOBS_SHUTDOWN_SECONDS: 10, JOBS_RETENTION_DAYS: 7, ARCHIVE_INTERVAL_SECONDS: 86_400 });
    expect(c.SYNC_CADENCE).toEqual({ everyMs: 4 * 3_600_000, steps: [{ withinMs: 24 * 3_600_000, everyMs: 15 * 60_000 }, { withinMs: 4 * 3_600_000, everyMs: 60_000 }], stopAfterMs: 3_600_000 });
    expect(loadConfig({ SYNC_CADENCE: 'every 1h, within 2h every 5m' }).SYNC_CADENCE).toEqual({ everyMs: 3_600_000, steps: [{ withinMs: 7_200_000, everyMs: 300_000 }], stopAfterMs: 0 });
    expect(() => loadConfig({ SYNC_CADENCE: 'every 4h, hourly' })).toThrow(/SYNC_CADENCE: unrecognized part "hourly"/);
  });

  it('treats empty values as unset and parses good ones', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: 'postgres://u@h:5432/db', COLLECTOR_ALLOW_ANONYMOUS: 'false', SECRET_KEY: 'ab'.repeat(32) });
    expect(c.PORT).toBe(5000);
    expect(c.DATABASE_URL).toBe('postgres://u@h:5432/db');
    expect(c.COLLECTOR_ALLOW_ANONYMOUS).toBe(false);
    expect(c.secretKey?.length).toBe(32);
  });

  it('defaults every provider base URL to the real service and takes overrides', () => {
    expect(baseUrlsOf(loadConfig({}))).toEqual({
      runsignup: 'https://runsignup.com/Rest',
      ctlive: 'https://api.chronotrack.com/api',
      raceroster: 'https://raceroster.com/api/v1',
      racerosterResults: 'https://results.raceroster.com/v2/api',
      ultrasignup: 'https://ultrasignup.com/service/events.svc',
      active: 'https://api.amp.active.com',
      eventbrite: 'https://www.eventbriteapi.com/v3',
      copernico: 'https://public-api.copernico.cloud/api/races',
      haku: 'https://api.hakuapp.com/v1',
    });
    const urls = baseUrlsOf(loadConfig({ RUNSIGNUP_BASE_URL: 'http://127.0.0.1:7501/Rest', HAKU_BASE_URL: 'http://127.0.0.1:7502/v1', CTLIVE_BASE_URL: 'https://qa-api.chronotrack.com/api' }));
    expect(urls).toEqual({ ...DEFAULT_BASE_URLS, runsignup: 'http://127.0.0.1:7501/Rest', haku: 'http://127.0.0.1:7502/v1', ctlive: 'https://qa-api.chronotrack.com/api' });
  });
});
