/**
 * Colour and font extraction from a fake race website on 127.0.0.2 (the test policy's only
 * "public" address), its linked stylesheet fetched through safeFetch as well.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchStyles, normalizeUserUrl, sameSite, scanColors, tallyCss, Tally } from './fetch-styles.js';
import { SafeFetchError, type SafeFetchPolicy } from '../http/safe-fetch.js';

interface Fake {
  port: number;
  paths: string[];
  close(): Promise<void>;
}

async function serve(host: string, routes: Record<string, { type: string; body: string } | 'silent'>): Promise<Fake> {
  const fake: Fake = { port: 0, paths: [], close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))) };
  const server = http.createServer((req, res) => {
    fake.paths.push(req.url ?? '');
    const route = routes[req.url ?? ''];
    if (route === 'silent') return; // never answers
    if (!route) return res.writeHead(404, { 'content-type': 'text/html' }).end('nope');
    res.writeHead(200, { 'content-type': route.type }).end(route.body);
  });
  await new Promise<void>((resolve) => server.listen(0, host, () => resolve()));
  fake.port = (server.address() as AddressInfo).port;
  return fake;
}

const html = (body: string) => ({ type: 'text/html; charset=utf-8', body });
const css = (body: string) => ({ type: 'text/css', body });

let site: Fake;
let other: Fake; // 127.0.0.1: a different site, never fetched
let policy: SafeFetchPolicy;

const SITE_CSS = `
@font-face { font-family: "Race Sans"; src: url(/f.woff2#iefix) format("woff2"); }
h1 { color: #C8102E; font-family: 'Race Sans', Oswald, system-ui; }
.btn { background: #0055aa; border: 1px solid #05a; box-shadow: 0 0 2px rgba(0, 85, 170, .5); }
:root { --accent: hsl(45deg 100% 50%); --white: #ffffffff; }
`;

beforeAll(async () => {
  other = await serve('127.0.0.1', { '/evil.css': css('a{color:#abcabc}') });
  const page = `<!doctype html><html><head>
<meta name="theme-color" content="#C8102E">
<link rel="stylesheet" href="/site.css">
<link rel="stylesheet" href="http://127.0.0.1:${other.port}/evil.css">
<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Oswald:wght@400;700&family=Open+Sans&display=swap">
<link rel="icon" href="/favicon.css">
<style>
  body { color: #c8102e; background: rgb(255, 255, 255); font-family: "Oswald", Arial, sans-serif; }
  .banner { background-image: url("data:image/svg+xml,%23abcdef"); border-color: hsl(210, 100%, 50%); content: "#fedcba"; }
  .muted { color: rgba(0,0,0,0); }
  .broken { color: var(--x, #111); font-family: var(--font); }
</style>
<script>document.body.style.color = '#123456'; var s = "<style>a{color:#654321}</style>";</script>
</head><body style="border-top: 4px solid #FFF">
<template><style>.x{color:#999999}</style></template>
<div style="color: #0a0b0c; font: italic 700 16px/1.4 'Open Sans', sans-serif">x</div>
<svg><style>.svg{color:#222222}</style></svg>
</body></html>`;
  site = await serve('127.0.0.2', {
    '/': html(page),
    '/site.css': css(SITE_CSS),
    '/many': html(['a', 'b', 'c', 'd', 'e'].map((n) => `<link rel="stylesheet" href="/${n}.css">`).join('')),
    '/a.css': css('a{color:#aa0000}'),
    '/b.css': { type: 'text/plain', body: 'b{color:#bb0000}' }, // wrong type: skipped
    '/c.css': css('c{color:#cc0000}'),
    '/d.css': css('d{color:#dd0000}'),
    '/e.css': css('e{color:#ee0000}'),
    '/slow-sheet': html('<style>p{color:#010203}</style><link rel="stylesheet" href="/never.css">'),
    '/never.css': 'silent',
    '/silent': 'silent',
  });
  policy = { isAllowedAddress: (a) => a === '127.0.0.2', allowedPorts: [site.port, other.port] };
});

afterAll(async () => {
  await site.close();
  await other.close();
});

describe('fetchStyles', () => {
  it('reads inline, attribute and same-site linked CSS; colours and fonts by use', async () => {
    const result = await fetchStyles(`http://127.0.0.2:${site.port}/`, policy);
    expect(result).toEqual({
      url: `http://127.0.0.2:${site.port}/`,
      // #c8102e ×3, #0055aa ×3 (#05a, rgba), #ffffff ×3 (rgb(), #FFF, #ffffffff), then one each in document order
      // (site.css is linked before the <style>; a var() fallback counts; script, template, url() and strings do not).
      colors: ['#c8102e', '#0055aa', '#ffffff', '#ffbf00', '#0080ff', '#111111', '#0a0b0c', '#222222'],
      // Oswald ×3; Race Sans ×2 (@font-face, h1) before Open Sans ×2 (Google link, div) by document order; generics last.
      fonts: ['Oswald', 'Race Sans', 'Open Sans', 'Arial', 'sans-serif', 'system-ui'],
    });
    // The stylesheet of another site was never requested; nor was anything else.
    expect(other.paths).toEqual([]);
    expect(site.paths.filter((p) => p === '/site.css')).toHaveLength(1);
    expect(site.paths).not.toContain('/favicon.css');
  });

  it('fetches at most three stylesheets and skips one that is not CSS', async () => {
    const before = site.paths.length;
    const result = await fetchStyles(`http://127.0.0.2:${site.port}/many`, policy);
    expect(site.paths.slice(before).sort()).toEqual(['/a.css', '/b.css', '/c.css', '/many']);
    expect(result.colors).toEqual(['#aa0000', '#cc0000']);
  });

  it('keeps what it has when a stylesheet is late, within the one deadline', async () => {
    const started = Date.now();
    const result = await fetchStyles(`http://127.0.0.2:${site.port}/slow-sheet`, { ...policy, timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(result.colors).toEqual(['#010203']);
  });

  it('fails with a SafeFetchError when the page itself is refused or slow', async () => {
    await expect(fetchStyles(`http://127.0.0.1:${other.port}/evil.css`, policy)).rejects.toMatchObject({ kind: 'blocked' });
    await expect(fetchStyles(`http://127.0.0.2:${site.port}/site.css`, policy)).rejects.toMatchObject({ kind: 'content_type' });
    const slow = await fetchStyles(`http://127.0.0.2:${site.port}/silent`, { ...policy, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(SafeFetchError);
    expect((slow as SafeFetchError).kind).toBe('timeout');
  });
});

describe('colour and font parsing', () => {
  const colorsOf = (value: string) => {
    const found: string[] = [];
    scanColors(value, { color: (hex) => found.push(hex) });
    return found;
  };

  it('normalises hex, rgb() and hsl() to #rrggbb', () => {
    expect(colorsOf('#ABC #abcd #A1B2C3 #a1b2c380 #a1b2c300 #abc0 #12345 #1234567 #abcdefg')).toEqual(['#aabbcc', '#aabbcc', '#a1b2c3', '#a1b2c3']);
    expect(colorsOf('rgb(255, 0, 0) rgba(0,128,0,0.5) rgb(0 0 255 / 50%) rgb(100%, 50%, 0%) RGB(300, -5, 10) rgba(1,2,3,0)')).toEqual([
      '#ff0000',
      '#008000',
      '#0000ff',
      '#ff8000',
      '#ff000a',
    ]);
    expect(colorsOf('hsl(0, 100%, 50%) hsla(120deg 100% 25% / .8) hsl(0.5turn 100% 50%) hsl(240 100 50) hsl(0 0% 100%)')).toEqual([
      '#ff0000',
      '#008000',
      '#00ffff',
      '#0000ff',
      '#ffffff',
    ]);
    expect(colorsOf('rgb(var(--r), 0, 0) rgb(from red r g b) hsl(calc(1) 1% 1%) url(#abcdef) "#abcdef" red')).toEqual([]);
  });

  it('finds families in font-family and the font shorthand, generic ones last', () => {
    const t = new Tally();
    tallyCss(
      `a { font-family: "Fira Sans", 'Fira Sans', serif, inherit; }
       b { font: bold 1.2rem/2 Lato, Helvetica Neue, sans-serif; }
       c { font: caption; font-family: var(--f), "<script>", Lato; }
       d { font-family: fira sans; }
       broken { color: `,
      t,
    );
    expect(t.topFonts()).toEqual([]); // CSS that does not parse counts nothing
    tallyCss(
      `a { font-family: "Fira Sans", 'Fira Sans', serif, inherit; }
       b { font: bold 1.2rem/2 Lato, Helvetica Neue, sans-serif; }
       c { font: caption; font-family: var(--f), "<script>", Lato; }
       d { font-family: fira sans; }`,
      t,
    );
    expect(t.topFonts()).toEqual(['Fira Sans', 'Lato', 'Helvetica Neue', 'serif', 'sans-serif']);
  });

  it('caps the lists at 12 colours and 8 fonts', () => {
    const t = new Tally();
    tallyCss(Array.from({ length: 20 }, (_, i) => `.c${i}{color:#0000${(i + 16).toString(16)};font-family:Font${i}}`).join('\n'), t);
    expect(t.topColors()).toHaveLength(12);
    expect(t.topFonts()).toHaveLength(8);
  });

  it('treats the page host, its parent and its subdomains as the same site', () => {
    const page = new URL('https://www.race.example/results');
    expect(sameSite(page, new URL('https://race.example/a.css'))).toBe(true);
    expect(sameSite(page, new URL('https://cdn.race.example/a.css'))).toBe(true);
    expect(sameSite(page, new URL('https://otherrace.example/a.css'))).toBe(false);
    expect(sameSite(page, new URL('https://cdn.example.com/a.css'))).toBe(false);
    expect(sameSite(new URL('http://1.2.3.4/'), new URL('http://2.3.4.4/'))).toBe(false);
  });

  it('assumes https:// when no scheme is typed', () => {
    expect(normalizeUserUrl('  race.example/page ')).toBe('https://race.example/page');
    expect(normalizeUserUrl('http://race.example')).toBe('http://race.example');
    expect(normalizeUserUrl('file:///etc/passwd')).toBe('file:///etc/passwd');
  });
});
