/**
 * The embedded database cannot be broken from the command line: while `p88 start` holds the
 * data directory, every p88 command either touches nothing (--help) or refuses at once with a
 * message naming the holder and what to do; nothing it reports is a lie. Then kill -9 of the
 * server, a restart on the same directory (the stale lock is taken over) and every piece of
 * data is still there; after a clean stop the lock is gone and commands work again.
 * Each p88 here is its own process (node bin/p88.js), as a user runs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawClient } from './helpers/ctp-client.js';
import { createOwner, embeddedEnv, runP88, startP88, type P88Server } from './helpers/p88-process.js';
import { freePort } from './helpers/tcp-proxy.js';
import { raceTimeField } from './helpers/race-day.js';

const PASSWORD = 'correct horse battery staple';

describe('the embedded database while p88 start runs', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: P88Server | undefined;

  beforeAll(async () => {
    env = await embeddedEnv('p88-embedded');
    dataDir = env.DATA_DIR!;
    await createOwner(env, { slug: 'lock-timing', partnerName: 'Lock Timing', email: 'owner@lock.example', name: 'Lock Owner', password: PASSWORD });
  }, 240_000);

  afterAll(async () => {
    if (server) await server.kill9().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function signIn(): Promise<Record<string, string>> {
    const res = await fetch(`http://127.0.0.1:${env.PORT}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@lock.example', password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const { csrf_token } = (await res.json()) as { csrf_token: string };
    return { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json' };
  }

  async function recentTags(headers: Record<string, string>): Promise<string[]> {
    const res = await fetch(`http://127.0.0.1:${env.PORT}/api/timing/recent-reads?limit=100`, { headers });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { reads: Array<{ tag_code: string }> };
    return body.reads.map((r) => r.tag_code).sort();
  }

  it('refuses every database command while the server runs, then survives kill -9 with its data', async () => {
    server = await startP88(env);
    const lockFile = `${path.join(dataDir, 'pgdata')}.lock`;
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(server.pid);

    // Data written through the running server: a source, and reads over CTP01.
    let headers = await signIn();
    const created = await fetch(`http://127.0.0.1:${env.PORT}/api/sources`, { method: 'POST', headers, body: JSON.stringify({ name: 'finish laptop' }) });
    expect(created.status).toBe(201);
    const source = (await created.json()) as { user_id: string; secret: string };
    const ctp = await RawClient.signedIn(Number(env.COLLECTOR_PORT), source.user_id, source.secret, { locations: ['finish'] });
    const tags = ['LOCK01', 'LOCK02', 'LOCK03'];
    tags.forEach((tag, i) => ctp.send(`CT01_33~${i + 1}~finish~${tag}~${raceTimeField(10, 0, i)}~1~0A0B0C~1`));
    for (let i = 0; i < 100 && (await recentTags(headers)).length < tags.length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await recentTags(headers)).toEqual(tags);
    ctp.close();

    // Every command that opens the database, while the server holds it.
    const refused: Array<[string, string[]]> = [
      ['migrate', ['migrate']],
      ['archive', ['archive', '--days', '30']],
      ['partner create', ['partner', 'create', '--slug', 'second', '--name', 'Second']],
      ['user create', ['user', 'create', '--email', 'ghost@lock.example', '--name', 'Ghost', '--partner', 'lock-timing', '--role', 'owner']],
      ['source create', ['source', 'create', '--partner', 'lock-timing', '--name', 'ghost laptop']],
      ['demo', ['demo']],
      ['worker', ['worker']],
      ['web', ['web']],
      ['collector', ['collector']],
      ['start', ['start']],
    ];
    const otherPorts = { PORT: String(await freePort()), COLLECTOR_PORT: String(await freePort()), COLLECTOR_STATUS_PORT: String(await freePort()) };
    const results = await Promise.all(refused.map(async ([name, args]) => [name, await runP88(args, { ...env, ...otherPorts }, 60_000)] as const));
    for (const [name, r] of results) {
      expect({ name, code: r.code }).toEqual({ name, code: 75 });
      expect(r.stderr).toContain(`in use by process ${server.pid}`);
      expect(r.stderr).toContain('Stop that process first');
      expect(r.stdout).toBe('');
    }
    // --help of every command touches nothing (and says so by answering while the lock is held).
    for (const words of [[], ['start'], ['migrate'], ['worker'], ['user', 'create'], ['partner', 'create'], ['source', 'create'], ['archive'], ['demo'], ['simulate'], ['web'], ['collector']]) {
      const r = await runP88([...words, '--help'], env);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Usage: p88');
    }
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(server.pid);

    // kill -9: the lock stays behind, naming a dead process; a restart takes it over.
    const killedPid = server.pid;
    await server.kill9();
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(killedPid);
    server = await startP88(env);
    expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(server.pid);
    headers = await signIn();
    expect(await recentTags(headers)).toEqual(tags);
    const sources = (await (await fetch(`http://127.0.0.1:${env.PORT}/api/sources`, { headers })).json()) as { sources: Array<{ name: string }> };
    expect(sources.sources.map((s) => s.name)).toEqual(['finish laptop']);
    // The refused commands changed nothing: no ghost user, no second partner.
    const ghost = await fetch(`http://127.0.0.1:${env.PORT}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ghost@lock.example', password: PASSWORD }),
    });
    expect(ghost.status).toBe(401);

    // A clean stop releases the lock; the CLI works again.
    expect(await server.stop()).toBe(0);
    server = undefined;
    expect(existsSync(lockFile)).toBe(false);
    const after = await runP88(['partner', 'create', '--slug', 'after-stop', '--name', 'After Stop'], env, 120_000);
    expect(after.code, after.stderr).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
  }, 600_000);
});
