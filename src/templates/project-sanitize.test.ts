import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { MAX_PROJECT_DEPTH, sanitizeProject } from './project-sanitize.js';

const ASSET = '/assets/0123456789abcdef0123456789abcdef';
const FONT = 'data:font/woff2;base64,d09GMgABAAAAAA==';

function project(components: unknown, styles: unknown = []) {
  return { assets: [], styles, pages: [{ frames: [{ component: { type: 'wrapper', components } }] }] };
}

describe('builder project sanitizer (allowlist)', () => {
  it('cleans components given as HTML strings: no handlers, frames, forms, objects, SVG or refresh', () => {
    const hostile =
      '<img src="x" onerror="alert(1)"><iframe srcdoc="<script>alert(2)</script>"></iframe><form action="https://evil.example"><input></form>' +
      '<object data="https://evil.example/x.swf"></object><svg onload="alert(3)"></svg><meta http-equiv="refresh" content="0;url=https://evil.example">' +
      `<div class="ok" title="kept">text</div><img src="${ASSET}" alt="logo">`;
    const out = JSON.stringify(sanitizeProject(project(hostile)));
    for (const bad of ['onerror', 'iframe', 'srcdoc', '<form', 'action=', '<object', '<svg', 'onload', '<meta', 'refresh', 'evil.example', 'alert(']) {
      expect(out, bad).not.toContain(bad);
    }
    expect(out).toContain('<div class=\\"ok\\" title=\\"kept\\">text</div>');
    expect(out).toContain(`<img src=\\"${ASSET}\\" alt=\\"logo\\" />`);
  });

  it('keeps allowed component objects and drops the others with their children, attributes by allowlist', () => {
    const out = sanitizeProject(
      project([
        { tagName: 'div', attributes: { id: 'a', onmouseover: 'x()', title: 'ok', href: 'javascript:x()', style: 'color:red;background:url(https://evil.example/t.png)' }, components: [{ type: 'text', content: '<b onclick="x()">hi</b>' }] },
        { tagName: 'script', content: 'alert(1)' },
        { tagName: 'iframe', attributes: { srcdoc: '<b>x</b>' } },
        { type: 'video', src: 'https://evil.example/v.mp4' },
        { type: 'image', src: 'https://evil.example/i.png', attributes: { src: ASSET } },
        { tagName: 'div', components: '<meta http-equiv="refresh" content="0">' },
      ]),
    );
    expect(out).toEqual(
      project([
        { tagName: 'div', attributes: { id: 'a', title: 'ok', style: 'color:red' }, components: [{ type: 'text', content: '<b>hi</b>' }] },
        { type: 'image', attributes: { src: ASSET } },
        { tagName: 'div', components: '' },
      ]),
    );
  });

  it('sends project styles through the CSS sanitizer: no outside fonts, imports or url()s', () => {
    const out = sanitizeProject(
      project(
        [],
        [
          { selectors: ['a'], style: { color: 'red', background: 'url(https://evil.example/t.png)' } },
          { atRuleType: 'font-face', style: { 'font-family': 'Evil', src: 'url(https://evil.example/f.woff2)' } },
          { atRuleType: 'font-face', style: { 'font-family': 'Inline', src: `url(${FONT}) format("woff2")` } },
          { atRuleType: 'import', style: {} },
          { atRuleType: 'media', mediaText: '(max-width: 600px)', selectors: ['b'], style: { color: 'blue' } },
          '@font-face{font-family:X;src:url(https://evil.example/x.woff)} .c{color:green}',
        ],
      ),
    ) as { styles: unknown[] };
    expect(JSON.stringify(out)).not.toContain('evil.example');
    expect(out.styles).toEqual([
      { selectors: ['a'], style: { color: 'red' } },
      { atRuleType: 'font-face', style: { 'font-family': 'Inline', src: `url(${FONT}) format("woff2")` } },
      { atRuleType: 'media', mediaText: '(max-width: 600px)', selectors: ['b'], style: { color: 'blue' } },
      '.c{color:green;}',
    ]);
  });

  it(`refuses a project nested deeper than ${MAX_PROJECT_DEPTH} levels with 400, without recursing on`, () => {
    let deep: Record<string, unknown> = { tagName: 'div' };
    for (let i = 0; i < 10_000; i++) deep = { tagName: 'div', components: [deep] };
    const err = (() => {
      try {
        sanitizeProject({ pages: [{ frames: [{ component: deep }] }] });
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'bad_request', status: 400 });
  });

  it('is idempotent', () => {
    const p = project([{ tagName: 'div', attributes: { class: 'x' }, components: '<p>a &amp; b</p><img src="x" onerror="y">' }], [{ selectors: ['a'], style: { color: 'red' } }]);
    const once = sanitizeProject(p);
    expect(sanitizeProject(once)).toEqual(once);
  });
});
