/**
 * deploy/ checked by the real programs: systemd's own verifier and sandbox score for the
 * units, `caddy validate` for the Caddyfile, `nginx -t` for the nginx site, and the
 * environment template against the configuration's variables. A program this machine lacks
 * skips its check with a message; CI installs them and sets P88_REQUIRE_TOOLS=1, which turns
 * a missing one into a failure.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../src/config.js';

const run = promisify(execFile);
const DEPLOY = path.resolve('deploy');
const SERVICES = ['p88-collector.service', 'p88-web.service', 'p88-worker.service'];
const UNITS = [...SERVICES, 'p88-backup.service'];

async function has(program: string): Promise<boolean> {
  const found = await run('sh', ['-c', `command -v ${program}`]).then(() => true, () => false);
  if (!found && process.env.P88_REQUIRE_TOOLS) throw new Error(`${program} is required here (P88_REQUIRE_TOOLS) but not installed`);
  if (!found) console.warn(`deploy.test: ${program} is not installed; its check is skipped`);
  return found;
}

/** Output of a program that may exit non-zero: what it said, and whether it succeeded. */
async function outcome(file: string, args: string[], cwd?: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

describe('systemd units', async () => {
  const present = await has('systemd-analyze');
  it.runIf(present).each(UNITS)('%s verifies without a warning and scores as sandboxed', async (unit) => {
    const file = path.join(DEPLOY, 'systemd', unit);
    const verified = await outcome('systemd-analyze', ['verify', '--man=no', file]);
    expect(verified).toEqual({ ok: true, output: '' });
    const security = await outcome('systemd-analyze', ['security', '--offline=yes', file]);
    const exposure = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(security.output)?.[1]);
    // 0 = fully locked down, 10 = nothing; a plain unit scores 9.6. Anything under 3 is "OK".
    expect(exposure).toBeLessThan(3);
  });

  it.runIf(present)('the backup timer verifies and starts the backup service nightly', async () => {
    const timer = path.join(DEPLOY, 'systemd', 'p88-backup.timer');
    expect(await outcome('systemd-analyze', ['verify', '--man=no', timer])).toEqual({ ok: true, output: '' });
    const onCalendar = /^OnCalendar=(.+)$/m.exec(readFileSync(timer, 'utf8'))?.[1] ?? '';
    const next = await outcome('systemd-analyze', ['calendar', onCalendar]);
    expect(next.output).toMatch(/Normalized form: \*-\*-\* 03:30:00/);
  });

  it('starts the collector without waiting for the web process or the database', () => {
    const unit = readFileSync(path.join(DEPLOY, 'systemd', 'p88-collector.service'), 'utf8');
    expect(unit).not.toMatch(/^(Requires|BindsTo|Requisite)=/m);
    expect(unit).not.toMatch(/p88-web/);
    for (const name of SERVICES) expect(readFileSync(path.join(DEPLOY, 'systemd', name), 'utf8')).toMatch(/^EnvironmentFile=\/etc\/p88\/p88\.env$/m);
  });
});

describe('reverse proxies', async () => {
  const [caddy, nginx, openssl] = await Promise.all([has('caddy'), has('nginx'), has('openssl')]);

  it.runIf(caddy)('the Caddyfile is valid for caddy', async () => {
    const checked = await outcome('caddy', ['validate', '--config', path.join(DEPLOY, 'caddy', 'Caddyfile'), '--adapter', 'caddyfile']);
    expect(checked.output).toContain('Valid configuration');
    expect(checked.ok).toBe(true);
  });

  it.runIf(nginx && openssl)('the nginx site passes nginx -t (with a throwaway certificate in place of certbot’s)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p88-nginx-'));
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=results.example.com',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')]);
    const site = (await readFile(path.join(DEPLOY, 'nginx', 'p88.conf'), 'utf8'))
      .replace('/etc/letsencrypt/live/results.example.com/fullchain.pem', path.join(dir, 'cert.pem'))
      .replace('/etc/letsencrypt/live/results.example.com/privkey.pem', path.join(dir, 'key.pem'));
    await writeFile(path.join(dir, 'p88.conf'), site);
    // The site as /etc/nginx/nginx.conf would include it, with every path in the scratch folder.
    await writeFile(path.join(dir, 'nginx.conf'), [
      `pid ${dir}/nginx.pid;`, `error_log ${dir}/error.log;`, 'events {}',
      `http { access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; include ${dir}/p88.conf; }`, '',
    ].join('\n'));
    const checked = await outcome('nginx', ['-t', '-c', path.join(dir, 'nginx.conf'), '-p', dir]);
    expect(checked.output).toContain('test is successful');
    expect(checked.ok).toBe(true);
  });

  it('streams display events unbuffered with long timeouts, and leaves the CTP01 port out of both', () => {
    const site = readFileSync(path.join(DEPLOY, 'nginx', 'p88.conf'), 'utf8');
    const stream = /location ~ \^\/api\/display\/\[\^\/\]\+\/stream\$ \{([^}]*)\}/.exec(site)?.[1] ?? '';
    expect(stream).toMatch(/proxy_buffering off;/);
    expect(stream).toMatch(/proxy_read_timeout 24h;/);
    const caddyfile = readFileSync(path.join(DEPLOY, 'caddy', 'Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/flush_interval -1/);
    for (const text of [site, caddyfile]) expect(text).not.toMatch(/^\s*[^#\n]*61611/m);
  });
});

describe('Prometheus', async () => {
  const promtool = await has('promtool');
  const PROM = path.join(DEPLOY, 'prometheus');

  it.runIf(promtool)('the alert rules pass promtool check rules', async () => {
    const checked = await outcome('promtool', ['check', 'rules', path.join(PROM, 'alerts.yml')]);
    expect(checked.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(checked.ok).toBe(true);
  });

  it.runIf(promtool)('the scrape configuration passes promtool check config (rules where it expects them)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'p88-prom-'));
    const config = (await readFile(path.join(PROM, 'prometheus.yml'), 'utf8')).replace('/etc/prometheus/p88-alerts.yml', path.join(PROM, 'alerts.yml'));
    expect(config).toContain(path.join(PROM, 'alerts.yml'));
    await writeFile(path.join(dir, 'prometheus.yml'), config);
    const checked = await outcome('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(checked.output).toMatch(/SUCCESS/);
    expect(checked.ok).toBe(true);
  });
});

describe('the environment template', () => {
  const template = readFileSync(path.join(DEPLOY, 'p88.env.example'), 'utf8');
  const named = new Set([...template.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

  it('names every configuration variable, and nothing the configuration does not read', () => {
    expect([...CONFIG_VARIABLES].filter((v) => !named.has(v))).toEqual([]);
    expect([...named].filter((v) => !CONFIG_VARIABLES.includes(v!))).toEqual([]);
  });

  it('is refused until SECRET_KEY is filled in, and accepted once it is', () => {
    const env = Object.fromEntries([...template.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(() => loadConfig(env)).toThrow(/SECRET_KEY: required with DATABASE_URL/);
    const config = loadConfig({ ...env, SECRET_KEY: 'ab'.repeat(32) });
    expect(config).toMatchObject({ HOST: '127.0.0.1', TRUST_PROXY: true, COLLECTOR_ALLOW_ANONYMOUS: false });
  });
});
