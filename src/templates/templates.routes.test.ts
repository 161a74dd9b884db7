import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { SignedIn } from '../../test/helpers/auth.js';
import { newPartner } from '../../test/helpers/factories.js';
import { sanitizeProject } from './templates.service.js';

let test: TestApp;
let t: TestApp['t'];
let app: FastifyInstance;
let owner: SignedIn;
let viewer: SignedIn;
let rival: SignedIn;
let acmeId: number;

beforeAll(async () => {
  test = await startTestApp();
  ({ app, t } = test);
  const acme = await newPartner(app, { slug: 'acme' });
  acmeId = acme.id;
  owner = acme.owner;
  viewer = await acme.signIn('viewer');
  rival = (await newPartner(app, { slug: 'rival' })).owner;
});
afterAll(() => test.close());

const RUNNER = { html: '<div class="name" data-p88-field="name" data-p88-fit>Runner Name</div>', css: '.name { font-size: 120px; color: #ffcc00; }' };
const IDLE = { html: '<div data-p88-field="idle_message">Welcome</div>', css: 'body { background: #000; }' };

async function create(name: string, runner = RUNNER) {
  const res = await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name, runner, idle: IDLE, project: { pages: [] } } });
  expect(res.statusCode).toBe(201);
  return res.json<{ template: { id: number; current_version: number }; version: { version: number; runner: { html: string; css: string } } }>();
}

describe('templates', () => {
  it('saves each change as a new version, lists versions, and restores an old one as a new version', async () => {
    const { template, version: first } = await create('Finish line');
    const v2 = { html: '<div data-p88-field="bib">1234</div>', css: '' };
    const saved = await app.inject({ method: 'PUT', url: `/api/templates/${template.id}`, headers: owner.headers, payload: { runner: v2, idle: IDLE } });
    expect(saved.json()).toMatchObject({ template: { current_version: 2 }, version: { version: 2, runner: v2 } });
    expect(first.runner).not.toEqual(v2);

    const versions = (await app.inject({ method: 'GET', url: `/api/templates/${template.id}/versions`, headers: viewer.headers })).json().versions;
    expect(versions.map((v: { version: number; created_by: string }) => [v.version, v.created_by])).toEqual([
      [2, owner.email],
      [1, owner.email],
    ]);

    const restored = await app.inject({ method: 'POST', url: `/api/templates/${template.id}/versions/1/restore`, headers: owner.headers });
    expect(restored.json()).toMatchObject({ template: { current_version: 3 }, version: { version: 3, runner: first.runner, project: { pages: [] } } });
    const current = (await app.inject({ method: 'GET', url: `/api/templates/${template.id}`, headers: viewer.headers })).json();
    expect(current.version.version).toBe(3);
    const one = (await app.inject({ method: 'GET', url: `/api/templates/${template.id}/versions/2`, headers: viewer.headers })).json();
    expect(one.version.runner).toEqual(v2);
  });

  it('sanitizes designs on save: no script, handler or remote URL is stored', async () => {
    const hostile = {
      html: '<div data-p88-field="name" onclick="steal()">x</div><script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">y</a>',
      css: '@import url(https://evil.example/x.css); .a { background: url(https://evil.example/t.png); color: red; }',
    };
    const { version } = await create('Hostile', hostile);
    const stored = version.runner;
    expect(stored.html).toContain('data-p88-field="name"');
    for (const bad of ['<script', 'onclick', 'onerror', 'javascript:', 'alert(']) expect(stored.html).not.toContain(bad);
    expect(stored.css).not.toContain('evil.example');
    expect(stored.css).not.toContain('@import');
    expect(stored.css).toContain('color');
  });

  it('strips handlers and script components from the builder project data', () => {
    const project = {
      pages: [{ frames: [{ component: { components: [
        { tagName: 'div', attributes: { id: 'a', onmouseover: 'x()', title: 'ok' } },
        { tagName: 'script', content: 'alert(1)' },
        { tagName: 'img', attributes: { src: 'javascript:alert(1)' } },
      ] } }] }],
    };
    expect(sanitizeProject(project)).toEqual({
      pages: [{ frames: [{ component: { components: [{ tagName: 'div', attributes: { id: 'a', title: 'ok' } }, { tagName: 'img', attributes: {} }] } }] }],
    });
  });

  it('stores components given as HTML strings cleaned, and answers a 10,000-deep project with 400', async () => {
    const project = { pages: [{ frames: [{ component: { type: 'wrapper', components: '<img src="x" onerror="alert(1)"><meta http-equiv="refresh" content="0"><p>ok</p>' } }] }] };
    const res = await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name: 'Strings', runner: RUNNER, idle: IDLE, project } });
    expect(res.statusCode, res.body).toBe(201);
    const stored = await t.owner.query<{ project: unknown }>('SELECT project FROM display_template_versions WHERE template_id = $1', [res.json().template.id]);
    expect(stored.rows[0]!.project).toEqual({ pages: [{ frames: [{ component: { type: 'wrapper', components: '<img /><p>ok</p>' } }] }] });

    const deep = `${'{"tagName":"div","components":['.repeat(10_000)}{}${']}'.repeat(10_000)}`;
    const body = `{"name":"Deep","runner":${JSON.stringify(RUNNER)},"idle":${JSON.stringify(IDLE)},"project":{"pages":[{"frames":[{"component":${deep}}]}]}}`;
    const refused = await app.inject({ method: 'POST', url: '/api/templates', headers: { ...owner.headers, 'content-type': 'application/json' }, payload: body });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.json().error.code).toBe('bad_request');
  });

  it('keeps a template\'s format (landscape by default, portrait when asked) through saves and copies, and the screen gets it', async () => {
    const plain = await create('Landscape by default');
    expect(plain.template).toMatchObject({ format: 'landscape' });
    const res = await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name: 'Tall TV', format: 'portrait', runner: RUNNER, idle: IDLE } });
    expect(res.statusCode).toBe(201);
    const id = res.json().template.id as number;
    expect(res.json().template.format).toBe('portrait');
    const saved = await app.inject({ method: 'PUT', url: `/api/templates/${id}`, headers: owner.headers, payload: { runner: RUNNER, idle: IDLE } });
    expect(saved.json().template).toMatchObject({ format: 'portrait', current_version: 2 });
    const copy = await app.inject({ method: 'POST', url: `/api/templates/${id}/duplicate`, headers: owner.headers, payload: {} });
    expect(copy.json().template.format).toBe('portrait');
    const bad = await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name: 'Square', format: 'square', runner: RUNNER, idle: IDLE } });
    expect(bad.statusCode).toBe(400);
    const link = await app.inject({ method: 'POST', url: '/api/display-links', headers: owner.headers, payload: { name: 'Tall', template_id: id } });
    expect(link.statusCode).toBe(201);
    const screen = await app.inject({ method: 'GET', url: `/api/display/${link.json().id}` });
    expect(screen.json().template).toMatchObject({ format: 'portrait', runner: { html: expect.stringContaining('data-p88-field="name"') } });
    expect((await app.inject({ method: 'DELETE', url: `/api/display-links/${link.json().id}`, headers: owner.headers })).statusCode).toBe(204);
  });

  it('duplicates a template (its current version) and deletes one no live link shows', async () => {
    const { template, version } = await create('Start line');
    const copy = await app.inject({ method: 'POST', url: `/api/templates/${template.id}/duplicate`, headers: owner.headers, payload: {} });
    expect(copy.statusCode).toBe(201);
    expect(copy.json()).toMatchObject({ template: { name: 'Start line (copy)', current_version: 1 }, version: { runner: version.runner } });
    const copyId = copy.json().template.id;
    expect((await app.inject({ method: 'DELETE', url: `/api/templates/${copyId}`, headers: owner.headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: `/api/templates/${copyId}`, headers: owner.headers })).statusCode).toBe(404);
  });

  it('refuses deleting a template a live display link shows, and allows it once the link is revoked', async () => {
    const { template } = await create('In use');
    const link = (await app.inject({ method: 'POST', url: '/api/display-links', headers: owner.headers, payload: { template_id: template.id } })).json();
    const refused = await app.inject({ method: 'DELETE', url: `/api/templates/${template.id}`, headers: owner.headers });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain(link.id);
    await app.inject({ method: 'DELETE', url: `/api/display-links/${link.id}`, headers: owner.headers });
    expect((await app.inject({ method: 'DELETE', url: `/api/templates/${template.id}`, headers: owner.headers })).statusCode).toBe(204);
    const row = await t.owner.query(`SELECT template_id FROM display_links WHERE id = $1`, [link.id]);
    expect(row.rows[0]).toEqual({ template_id: null });
  });

  it("keeps partners apart and refuses viewers' changes", async () => {
    const { template } = await create('Private');
    for (const [method, url] of [
      ['GET', `/api/templates/${template.id}`],
      ['GET', `/api/templates/${template.id}/versions`],
      ['POST', `/api/templates/${template.id}/duplicate`],
      ['DELETE', `/api/templates/${template.id}`],
    ] as const) {
      expect((await app.inject({ method, url, headers: rival.headers, ...(method === 'POST' ? { payload: {} } : {}) })).statusCode).toBe(404);
    }
    const listed = (await app.inject({ method: 'GET', url: '/api/templates', headers: rival.headers })).json().templates;
    expect(listed).toEqual([]);
    const refused = await app.inject({ method: 'PUT', url: `/api/templates/${template.id}`, headers: viewer.headers, payload: { runner: RUNNER, idle: IDLE } });
    expect(refused.statusCode).toBe(403);
    // A rival cannot bind another partner's template to its own link either.
    const bind = await app.inject({ method: 'POST', url: '/api/display-links', headers: rival.headers, payload: { template_id: template.id } });
    expect(bind.statusCode).toBe(404);
  });

  it('counts templates against the plan (402 naming the limit) and changes nothing when refused', async () => {
    await t.owner.query(`UPDATE partner_plans SET trial_plan = NULL, trial_ends_at = NULL WHERE partner_id = $1`, [acmeId]);
    const before = (await app.inject({ method: 'GET', url: '/api/templates', headers: owner.headers })).json().templates.length;
    const res = await app.inject({ method: 'POST', url: '/api/templates', headers: owner.headers, payload: { name: 'Over', runner: RUNNER, idle: IDLE } });
    expect(res.statusCode).toBe(402);
    expect(res.json().error.message).toContain('templates');
    const after = (await app.inject({ method: 'GET', url: '/api/templates', headers: owner.headers })).json().templates.length;
    expect(after).toBe(before);
  });
});
