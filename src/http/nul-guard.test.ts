import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import { newPartner, type TestPartner } from '../../test/helpers/factories.js';
import { findNul } from './nul-guard.js';

let t: TestApp;
let acme: TestPartner;

beforeAll(async () => {
  t = await startTestApp();
  acme = await newPartner(t.app);
});
afterAll(() => t?.close());

describe('NUL characters in requests (PostgreSQL cannot store them)', () => {
  it('answers 400 naming the field, never 500, on signed-in and public routes alike', async () => {
    const cases: Array<{ method: 'POST' | 'PATCH' | 'GET'; url: string; payload?: unknown; signedIn?: boolean; field: string }> = [
      { method: 'POST', url: '/api/templates', signedIn: true, payload: { name: 'a\u0000b', runner: { html: '', css: '' }, idle: { html: '', css: '' } }, field: 'body.name' },
      { method: 'POST', url: '/api/templates', signedIn: true, payload: { name: 'ok', runner: { html: '<p>\u0000</p>', css: '' }, idle: { html: '', css: '' } }, field: 'body.runner.html' },
      { method: 'POST', url: '/api/display-links', signedIn: true, payload: { name: 'x\u0000' }, field: 'body.name' },
      { method: 'POST', url: '/api/rosters/csv-preview', signedIn: true, payload: { csv: 'Bib\n1\u0000\n' }, field: 'body.csv' },
      { method: 'POST', url: '/api/invitations', signedIn: true, payload: { email: 'a\u0000@b.test', role: 'viewer' }, field: 'body.email' },
      { method: 'POST', url: '/api/auth/login', payload: { email: 'x\u0000@y.test', password: 'whatever password' }, field: 'body.email' },
      { method: 'POST', url: '/api/auth/password-reset/request', payload: { email: 'x\u0000@y.test' }, field: 'body.email' },
      { method: 'GET', url: '/api/timing/recent-reads?location=fin%00ish', signedIn: true, field: 'querystring.location' },
    ];
    for (const c of cases) {
      const res = await t.app.inject({ method: c.method, url: c.url, headers: c.signedIn ? acme.owner.headers : {}, ...(c.payload ? { payload: c.payload as object } : {}) });
      expect(res.statusCode, `${c.method} ${c.url} ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
      expect(res.json().error.message).toBe(`Text must not contain NUL characters (\\u0000): ${c.field}.`);
    }
    // Still 401 first for an anonymous caller of a signed-in route: nothing about its input leaks.
    expect((await t.app.inject({ method: 'POST', url: '/api/templates', payload: { name: '\u0000' } })).statusCode).toBe(401);
  });

  it('finds a NUL anywhere, in keys too, without recursion', () => {
    expect(findNul({ a: [1, { b: 'x' }] }, 'body')).toBeNull();
    expect(findNul({ a: [1, { b: 'x\u0000' }] }, 'body')).toBe('body.a[1].b');
    expect(findNul({ ['k\u0000']: 1 }, 'body')).toBe('body');
    let deep: unknown = 'end\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findNul(deep, 'body')).toMatch(/^body(\[0\]){100000}$/);
  });
});
