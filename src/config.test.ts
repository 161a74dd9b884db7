import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
  ])('stops at start on a bad %s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('accepts anonymous CTP01 clients on the embedded quick start, refuses them on a server deployment, unless told', () => {
    expect(loadConfig({}).COLLECTOR_ALLOW_ANONYMOUS).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).COLLECTOR_ALLOW_ANONYMOUS).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', COLLECTOR_ALLOW_ANONYMOUS: 'true' }).COLLECTOR_ALLOW_ANONYMOUS).toBe(true);
  });

  it('treats empty values as unset and parses good ones', () => {
    const c = loadConfig({ PORT: '', DATABASE_URL: 'postgres://u@h:5432/db', COLLECTOR_ALLOW_ANONYMOUS: 'false', SECRET_KEY: 'ab'.repeat(32) });
    expect(c.PORT).toBe(5000);
    expect(c.DATABASE_URL).toBe('postgres://u@h:5432/db');
    expect(c.COLLECTOR_ALLOW_ANONYMOUS).toBe(false);
    expect(c.secretKey?.length).toBe(32);
  });
});
