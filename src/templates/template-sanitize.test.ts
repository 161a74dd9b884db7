import { parseFragment } from 'parse5';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { TEMPLATE_FIELDS } from '../shared/template-fields.js';
import {
  MAX_CSS_BYTES,
  MAX_HTML_BYTES,
  MAX_HTML_TAGS,
  sanitizeCss,
  sanitizeDesign,
  sanitizeStyleAttribute,
  sanitizeTemplateHtml,
} from './template-sanitize.js';

const KEY = '0123456789abcdef0123456789abcdef';
const ASSET = `/assets/${KEY}`;
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const SAFE_TAGS = new Set([
  'div', 'span', 'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'img', 'section', 'header', 'footer', 'main', 'article',
  'aside', 'nav', 'figure', 'figcaption', 'br', 'hr', 'strong', 'em', 'b', 'i', 'u', 's', 'small', 'sub', 'sup',
  'mark', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'a', 'table', 'caption', 'colgroup', 'col', 'thead',
  'tbody', 'tfoot', 'tr', 'th', 'td',
]);
const SAFE_ATTRIBUTES = new Set([
  'id', 'class', 'style', 'title', 'alt', 'src', 'width', 'height', 'colspan', 'rowspan', 'span',
  'data-p88-field', 'data-p88-fit', 'data-p88-image',
]);
const SAFE_SRC = /^(\/assets\/[0-9a-f]{32}|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*)$/;

type P5Node = { nodeName: string; namespaceURI?: string; attrs?: Array<{ name: string; value: string }>; childNodes?: P5Node[] };

/**
 * Parses sanitized HTML the way a browser does (parse5 implements the HTML standard's parser)
 * and checks that only inert elements and attributes came out of it.
 */
function expectInertHtml(out: string): void {
  const walk = (node: P5Node): void => {
    if (node.nodeName === '#text') return;
    if (node.nodeName === '#comment') expect.fail(`comment survived in ${out}`);
    if (node.nodeName !== '#document-fragment') {
      expect(node.namespaceURI, out).toBe('http://www.w3.org/1999/xhtml');
      expect(SAFE_TAGS.has(node.nodeName), `<${node.nodeName}> in ${out}`).toBe(true);
      for (const { name, value } of node.attrs ?? []) {
        expect(SAFE_ATTRIBUTES.has(name), `attribute ${name} in ${out}`).toBe(true);
        if (name === 'src') {
          expect(node.nodeName).toBe('img');
          expect(value).toMatch(SAFE_SRC);
        }
        if (name === 'style') expectInertCss(`x{${value}}`);
      }
    }
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parseFragment(out));
}

/** Things that must never survive in sanitized CSS. */
function expectInertCss(out: string): void {
  expect(out).not.toMatch(/@(import|charset|namespace|supports|page|property)/i);
  expect(out).not.toMatch(/expression\s*\(|-moz-binding|behavior|image-set|javascript:|<\//i);
  for (const m of out.matchAll(/url\(\s*(['"]?)([^'")]*)\1\s*\)/gi)) {
    expect(m[2]).toMatch(/^(\/assets\/[0-9a-f]{32}|data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+=*|data:font\/woff2?;base64,[A-Za-z0-9+/]+=*)$/);
  }
}

function expectBadRequest(fn: () => unknown, message: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('bad_request');
    expect((err as AppError).message).toMatch(message);
    return;
  }
  expect.fail('expected an AppError(bad_request)');
}

/** [what, input html, exact expected output] */
const HOSTILE_HTML: Array<[string, string, string]> = [
  ['script element', '<script>alert(1)</script><div>ok</div>', '<div>ok</div>'],
  ['external script', '<p>x</p><script src="//evil.test/x.js"></script><p>y</p>', '<p>x</p><p>y</p>'],
  ['img onerror', '<img src=x onerror=alert(1)>', '<img />'],
  ['svg onload', '<svg onload=alert(1)><text>hi</text></svg>after', 'after'],
  [
    'svg with script and foreignObject',
    '<svg><script>alert(1)</script><foreignObject><div>in svg</div></foreignObject></svg><p>after</p>',
    '<p>after</p>',
  ],
  ['math with xlink:href', '<math><mi xlink:href="javascript:alert(1)">x</mi></math>', ''],
  ['javascript: href', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
  ['javascript: img src', '<img src="javascript:alert(1)">', '<img />'],
  ['uppercase tag and mixed-case scheme', '<IMG SRC="JaVaScRiPt:alert(1)">', '<img />'],
  ['data:text/html src', '<img src="data:text/html;base64,PHNjcmlwdD4=">', '<img />'],
  ['data:image/svg+xml src', `<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="s"><img src="${PNG}" alt="p">`, `<img alt="s" /><img src="${PNG}" alt="p" />`],
  ['nested broken tags', '<scr<script>ipt>alert(1)</script>', 'ipt&gt;alert(1)'],
  [
    'entity-encoded javascript:',
    '<a href="&#106;avascript:alert(1)">x</a><img src="&#106;avascript:alert(1)"><a href="&#x6A;avascript&colon;alert(1)" target="_blank">go</a>',
    '<a>x</a><img /><a>go</a>',
  ],
  ['uppercase ONCLICK', '<div ONCLICK="alert(1)" OnMouseOver="x">y</div>', '<div>y</div>'],
  ['iframe srcdoc', '<iframe srcdoc="<script>alert(1)</script>">inner</iframe>tail', 'tail'],
  ['style element with @import', '<style>@import url(http://evil.test/x.css);</style><p>t</p>', '<p>t</p>'],
  ['style attribute with url(javascript:)', '<div style="background:url(javascript:alert(1));color:red">z</div>', '<div style="color:red">z</div>'],
  [
    'style attribute with entity-encoded and protocol-relative urls',
    '<div style="background:url(&#106;avascript:alert(1))">a</div><div style="background-image:url(&quot;//evil.test/x.png&quot;);color:#fff">b</div>',
    '<div>a</div><div style="color:#fff">b</div>',
  ],
  [
    'style attribute with expression, binding, behavior',
    '<div style="width:expression(alert(1));-moz-binding:url(//evil.test/x.xml#x);behavior:url(x.htc)">c</div>',
    '<div>c</div>',
  ],
  ['style attribute breaking out into rules', '<div style="color:red} body{background:url(//evil.test)">s</div>', '<div>s</div>'],
  [
    'unknown data-p88-field values and unsafe field attributes',
    '<div data-p88-field="evil">a</div><div data-p88-field="NAME">b</div><div data-p88-field="name ">c</div><div data-p88-field="bib">d</div><div data-p88-fit="<x>" data-p88-image="javascript:x">e</div>',
    '<div>a</div><div>b</div><div>c</div><div data-p88-field="bib">d</div><div>e</div>',
  ],
  ['noscript mutation trick', '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>', ''],
  ['template element', '<template><img src=x onerror=alert(1)></template>', ''],
  ['object and embed', '<object data="x.swf"><param name=a value=b>fallback</object><embed src="x.swf">', ''],
  ['form, input, button', '<form action="x"><input value="1"><button formaction="javascript:alert(1)">go</button>label</form>', 'label'],
  [
    'base, link, meta refresh',
    '<base href="//evil.test"><link rel=stylesheet href=//evil.test/x.css><meta http-equiv=refresh content="0;url=//evil.test">',
    '',
  ],
  ['comments, CDATA, doctype', '<!-- <script>alert(1)</script> --><![CDATA[x]]><!DOCTYPE html>k', 'k'],
  [
    'remote and traversal img srcs',
    '<img src="/assets/../../etc/passwd"><img src="/assets/0123456789abcdef0123456789abcdef?x=1"><img src="//evil.test/x.png"><img src="https://evil.test/x.png"><img src="/ASSETS/0123456789ABCDEF0123456789ABCDEF"><img src=" /assets/0123456789abcdef0123456789abcdef">',
    '<img /><img /><img /><img /><img /><img />',
  ],
  [
    'srcset and handlers on an allowed image',
    `<img src="${ASSET}" srcset="//evil.test/a.png 2x" onerror="alert(1)" loading="lazy" width="120" height="80%">`,
    `<img src="${ASSET}" width="120" height="80%" />`,
  ],
  ['attribute value that tries to close itself', '<div title="a&quot; onmouseover=&quot;alert(1)">t</div>', '<div title="a&quot; onmouseover=&quot;alert(1)">t</div>'],
  [
    'GrapesJS editor attributes and interactive attributes',
    '<div data-gjs-type="text" data-gjs-highlightable="true" contenteditable="true" draggable="true" tabindex="0" hidden>t</div>',
    '<div>t</div>',
  ],
  ['plain link keeps only its text', '<a href="https://example.com" rel="noopener" ping="//evil.test">x</a>', '<a>x</a>'],
  ['unclosed elements are closed', '<div><p>unclosed<span>x', '<div><p>unclosed<span>x</span></p></div>'],
  ['escaped text stays escaped', '<p>a &amp; b &lt;script&gt;alert(1)&lt;/script&gt;</p>', '<p>a &amp; b &lt;script&gt;alert(1)&lt;/script&gt;</p>'],
  ['NUL bytes', '<scr\u0000ipt>alert(1)</script><p>ok</p>', '<p>ok</p>'],
];

describe('sanitizeTemplateHtml: hostile input', () => {
  it.each(HOSTILE_HTML)('%s', (_what, input, expected) => {
    const out = sanitizeTemplateHtml(input);
    expect(out).toBe(expected);
    expectInertHtml(out);
    expect(sanitizeTemplateHtml(out)).toBe(out);
  });

  it('keeps every known field name and drops the attribute for anything else', () => {
    for (const field of TEMPLATE_FIELDS) {
      expect(sanitizeTemplateHtml(`<span data-p88-field="${field}">x</span>`)).toBe(`<span data-p88-field="${field}">x</span>`);
    }
    expect(sanitizeTemplateHtml('<span data-p88-field="__proto__">x</span>')).toBe('<span>x</span>');
    expect(sanitizeTemplateHtml('<span data-p88-field="">x</span>')).toBe('<span>x</span>');
  });

  it('keeps list blocks (kind, rows, leaderboard filters, the repeated row) and drops bad values', () => {
    const list = '<div data-p88-list="leaderboard" data-p88-rows="10" data-p88-gender="F" data-p88-race="Half Marathon" data-p88-division="F30-34"><div data-p88-row=""><span data-p88-field="rank">1</span></div></div>';
    expect(sanitizeTemplateHtml(list)).toBe(list);
    expect(sanitizeTemplateHtml('<div data-p88-list="recent" data-p88-rows="12"><div data-p88-row="">x</div></div>')).toBe('<div data-p88-list="recent" data-p88-rows="12"><div data-p88-row="">x</div></div>');
    expect(sanitizeTemplateHtml('<div data-p88-list="script" data-p88-rows="1e9">x</div>')).toBe('<div>x</div>');
    expect(sanitizeTemplateHtml('<div data-p88-race="&quot;><img src=x>">x</div>')).toBe('<div>x</div>');
  });
});

/** [what, input css, exact expected output] */
const HOSTILE_CSS: Array<[string, string, string]> = [
  ['@import url()', '@import url(http://evil.test/x.css); a{color:red}', 'a{color:red;}'],
  ['@import string, any case, nested in @media', "@IMPORT 'x.css';@media print{@import 'y.css';a{color:red}}", '@media print{a{color:red;}}'],
  ['@charset and @namespace', '@charset "utf-8"; @namespace svg url(http://www.w3.org/2000/svg); b{c:d}', 'b{c:d;}'],
  ['url(http://evil)', 'a{background:url(http://evil.test/x.png)}', ''],
  ["url('//evil')", "a{background:url('//evil.test/x.png');color:blue}", 'a{color:blue;}'],
  ['url() in cursor and list-style-image', 'a{cursor:url(//evil.test/c.cur), auto;list-style-image:url(http://evil.test/x.png);color:red}', 'a{color:red;}'],
  ['url() of an asset with a fragment', `a{background:url(${ASSET}#x)}`, ''],
  ['svg and upper-case data URIs', 'a{background:url(data:image/svg+xml;base64,PHN2Zz4=)}b{background:url(DATA:image/png;base64,iVBORw0KGgo=)}', ''],
  ['expression()', 'a{width:expression(alert(1));height:10px}', 'a{height:10px;}'],
  ['-moz-binding and behavior', 'a{-moz-binding:url(http://evil.test/x.xml#x);behavior:url(x.htc);color:red}', 'a{color:red;}'],
  ['escaped property name', 'a{b\\65havior:url(x.htc);color:red}', 'a{color:red;}'],
  ['escaped url function', 'a{background:u\\72l(http://evil.test)}', ''],
  ['comment splitting a function name', 'a{background:u/**/rl(http://evil.test);color:re/**/d}', ''],
  ['image-set and src() load urls from strings', 'a{background-image:image-set("http://evil.test" 1x)}b{--u:"http://evil.test";background-image:src(var(--u))}', 'b{--u:"http://evil.test";}'],
  ['url() hidden in a var() fallback', 'a{background:var(--x, url(//evil.test));color:red}', 'a{color:red;}'],
  ['attr() and element()', 'a{content:attr(title);background:-moz-element(#x);color:red}', 'a{color:red;}'],
  ['@font-face loading a remote font', '@font-face{font-family:X;src:url(http://evil.test/f.woff)}', ''],
  ['</style> in a string', 'a{content:"</style><script>alert(1)</script>";color:red}', 'a{color:red;}'],
  ['</style> in a media query', '@media x</style>{a{color:red}}', ''],
  ['comments are removed', '/* </style><script>alert(1)</script> */a/**/b{color:red}c{color:blue}', 'c{color:blue;}'],
  ['other at-rules', '@supports (display:grid){a{b:c}}@page{margin:0}@property --x{syntax:"*"}@layer x{a{b:c}}', ''],
  ['IE filter', "a{filter:progid:DXImageTransform.Microsoft.AlphaImageLoader(src='http://evil.test/x.png')}", ''],
  ['star hack and top-level declarations', 'color:red;a{*zoom:1}', 'a{zoom:1;}'],
];

describe('sanitizeCss: hostile input', () => {
  it.each(HOSTILE_CSS)('%s', (_what, input, expected) => {
    const out = sanitizeCss(input);
    expect(out).toBe(expected);
    expectInertCss(out);
    expect(sanitizeCss(out)).toBe(out);
  });

  it('refuses CSS it cannot parse', () => {
    expectBadRequest(() => sanitizeCss('a{b:c}}'), /could not be read: Unexpected }/);
    expectBadRequest(() => sanitizeDesign({ html: '', css: 'a{color:"red}' }), /could not be read/);
  });

  it('keeps @media, @keyframes and @font-face from allowed sources', () => {
    expect(
      sanitizeCss(
        '@media (max-width: 992px){#i1{font-size:40px}} @MEDIA screen and (min-width:1px){a{b:c}} ' +
          '@-webkit-keyframes spin{from{transform:rotate(0deg)}to{transform:rotate(360deg)}} ' +
          '@font-face{font-family:"Race Sans";src:url(data:font/woff2;base64,AAAA) format("woff2"), local("Arial");font-display:swap}',
      ),
    ).toBe(
      '@media (max-width: 992px){#i1{font-size:40px;}}@media screen and (min-width:1px){a{b:c;}}' +
        '@-webkit-keyframes spin{from{transform:rotate(0deg);}to{transform:rotate(360deg);}}' +
        '@font-face{font-family:"Race Sans";src:url(data:font/woff2;base64,AAAA) format("woff2"), local("Arial");font-display:swap;}',
    );
  });
});

describe('sanitizeStyleAttribute', () => {
  it('canonicalises declarations and drops the bad ones', () => {
    expect(sanitizeStyleAttribute(' COLOR : Red ; font-family: "Open Sans", sans-serif !IMPORTANT; background:url(//evil.test) ')).toBe(
      'color:Red;font-family:"Open Sans", sans-serif !important',
    );
    expect(sanitizeStyleAttribute(`background-image:url('${ASSET}')`)).toBe(`background-image:url('${ASSET}')`);
    expect(sanitizeStyleAttribute('@import "x"; color:red')).toBe('');
    expect(sanitizeStyleAttribute('color:"red')).toBe('');
  });
});

/* ------------------------------------------------------------------------------------------ */

/** A runner design as the builder saves it (already in the sanitizer's canonical form). */
const BENIGN_HTML =
  '<div id="i8xq" class="runner-card">' +
  '<header id="ihd2" class="top-bar">' +
  `<img id="ilogo" src="${ASSET}" alt="Race logo" class="logo" />` +
  '<h1 id="irace" class="race-name" data-p88-field="race">Marathon</h1>' +
  '</header>' +
  '<main id="imn7" class="body">' +
  '<div id="ibib" class="bib" data-p88-field="bib">1234</div>' +
  '<div id="iname" class="name" data-p88-field="name" data-p88-fit="">Alexandra Montgomery</div>' +
  '<p id="icity" class="city"><span data-p88-field="city_state">Boulder, CO</span> · <span data-p88-field="country">USA</span></p>' +
  '<section id="istats" class="stats">' +
  '<div class="stat"><small>Time</small><strong data-p88-field="elapsed">3:12:45</strong></div>' +
  '<div class="stat"><small>Division</small><b data-p88-field="division">F30-34</b></div>' +
  '<table class="splits"><thead><tr><th colspan="2">Splits</th></tr></thead><tbody><tr><td>10K</td><td width="50%">0:45:10</td></tr></tbody></table>' +
  '</section>' +
  '<div id="imsg" class="message" data-p88-field="message" data-p88-fit="" style="font-style:italic;text-shadow:0 2px 4px rgba(0,0,0,0.5)">Go Alex, we are so proud of you!</div>' +
  '<ul class="notes"><li><em>Tip</em>: <u>smile</u></li><li>Photo at 42K<br />2nd line</li></ul>' +
  '<hr class="rule" />' +
  '</main>' +
  '<footer id="ift" class="sponsors">' +
  `<figure><img src="${PNG}" alt="Sponsor" width="200" height="80" data-p88-image="sponsor" /><figcaption>Thanks to our sponsors</figcaption></figure>` +
  '</footer>' +
  '</div>';

const BENIGN_CSS =
  '*{box-sizing:border-box;}' +
  'body{margin:0;}' +
  `#i8xq{width:1920px;height:1080px;background:#0b1f3a url('${ASSET}') center / cover no-repeat;font-family:"Open Sans", Arial, sans-serif;color:#fff;}` +
  '.top-bar{display:flex;align-items:center;gap:24px;padding:32px 48px;background-image:linear-gradient(90deg,rgba(0,0,0,0.5) 0%,#0b1f3a 100%);}' +
  `.logo{height:96px;width:auto;}` +
  '.name{font-size:120px;font-weight:700;text-transform:uppercase;line-height:1.1;}' +
  '.bib{font-size:calc(2rem + 4vw);animation:pulse 2s ease-in-out infinite;transform:translateX(-50%) rotate(2deg);--accent:#e4002b;border-bottom:8px solid var(--accent);}' +
  `.sponsors{background:url(${PNG}) repeat-x;display:grid;grid-template-columns:repeat(3, minmax(0, 1fr));}` +
  '#imsg:hover, .stat > small::before{opacity:0.8 !important;}' +
  '@media (max-width: 992px){.name{font-size:64px;}}' +
  '@keyframes pulse{0%{opacity:1;}50%{opacity:0.4;}100%{opacity:1;}}';

describe('sanitizeDesign: benign GrapesJS template', () => {
  it('keeps structure, fields, classes, ids, styles and images exactly', () => {
    const out = sanitizeDesign({ html: BENIGN_HTML, css: BENIGN_CSS });
    expect(out.html).toBe(BENIGN_HTML);
    expect(out.css).toBe(BENIGN_CSS);
  });

  it('strips the <body> wrapper GrapesJS adds and normalises its CSS formatting', () => {
    const out = sanitizeDesign({
      html: `<body id="iwrap">${BENIGN_HTML}</body>`,
      css: '* { box-sizing: border-box; } body {margin: 0;}\n#i8xq { color : #fff ; }\n@media (max-width: 992px) {\n  .name { font-size: 64px; }\n}',
    });
    expect(out.html).toBe(BENIGN_HTML);
    expect(out.css).toBe('*{box-sizing:border-box;}body{margin:0;}#i8xq{color:#fff;}@media (max-width: 992px){.name{font-size:64px;}}');
  });
});

/* ------------------------------------------------------------------------------------------ */

/** Small seeded PRNG (mulberry32) so the fuzz corpus is the same on every run. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('idempotence', () => {
  it('sanitizeDesign(sanitizeDesign(x)) equals sanitizeDesign(x) on the corpus', () => {
    const designs = [
      { html: BENIGN_HTML, css: BENIGN_CSS },
      ...HOSTILE_HTML.map(([, html], i) => ({ html, css: HOSTILE_CSS[i % HOSTILE_CSS.length]![1] })),
    ];
    for (const d of designs) {
      const once = sanitizeDesign(d);
      expect(sanitizeDesign(once)).toEqual(once);
    }
  });

  it('holds for badly nested HTML that takes more than one repair pass', () => {
    const input = '<tr></b></div> data-p88-field="name"  <b]]> x<tr>color:red`</b>]]>y<ul><li>]]><noscript>';
    const out = sanitizeTemplateHtml(input);
    expect(out).toBe('<tr> data-p88-field="name"   x</tr><tr>color:red`]]&gt;y<ul><li>]]&gt;</li></ul></tr>');
    expect(sanitizeTemplateHtml(out)).toBe(out);
    const a = sanitizeTemplateHtml('<a><li><li><td><td></td></li></a>');
    expect(sanitizeTemplateHtml(a)).toBe(a);
  });

  it('holds on a seeded fuzz corpus of HTML and CSS fragments', () => {
    const rnd = prng(88);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const htmlBits = [
      '<div', '<p', '>', '</div>', '</p>', `<img src="${ASSET}"`, ' style="', '"', "'", 'color:red', ';', 'url(', ')',
      '<script>', '</script>', '<svg>', '</svg>', '&amp;', '&', '&#x3c;', '<!--', '-->', ' data-p88-field="name"',
      ' data-p88-fit', '=', 'x', ' ', '\n', '<a href=', 'javascript:', '<table>', '<tr>', '<td>', '<style>', '</style>',
      '<noscript>', '</', '<br/>', '<textarea>', '/', '\\', '<![CDATA[', ']]>', '<?', '<b', '</b>', '<ul><li>', '<option>',
    ];
    const cssBits = [
      'a', '#i', '.c', '{', '}', ';', ':', 'color', 'red', '"x"', '\\', '/**/', 'url(', ')', '(', '@media ', '@import ',
      '@keyframes k', '@font-face', 'src', ' ', '\n', '!important', ASSET, 'data:image/png;base64,AAAA', 'calc', 'var(--x)',
      '--x', ',', '<', '</style>', 'from', 'to', '50%', 'expression', 'u\\72l', '//evil.test',
    ];
    let cssParsed = 0;
    for (let i = 0; i < 800; i++) {
      const html = Array.from({ length: 1 + Math.floor(rnd() * 20) }, () => pick(htmlBits)).join('');
      const h1 = sanitizeTemplateHtml(html);
      expectInertHtml(h1);
      expect(sanitizeTemplateHtml(h1)).toBe(h1);

      const sel = pick(['a', '#i3k9', '.c b', '*', 'a:hover', '[title="}"]']);
      const decls = Array.from({ length: Math.floor(rnd() * 4) }, () => Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => pick(cssBits)).join('')).join(';');
      const css = rnd() < 0.5 ? `${sel}{${decls}}` : `@media ${pick(['print', '(max-width: 10px)', ''])}{${sel}{${decls}}}`;
      let c1: string;
      try {
        c1 = sanitizeCss(css);
      } catch (err) {
        expect((err as AppError).code).toBe('bad_request');
        continue;
      }
      cssParsed++;
      expectInertCss(c1);
      expect(sanitizeCss(c1)).toBe(c1);
    }
    // The corpus must exercise the CSS path, not just fail to parse.
    expect(cssParsed).toBeGreaterThan(150);
  });
});

/* ------------------------------------------------------------------------------------------ */

describe('size limits', () => {
  it('accepts designs at the limit and refuses larger ones', () => {
    const fill = (bytes: number, prefix: string, suffix: string) => prefix + 'x'.repeat(bytes - prefix.length - suffix.length) + suffix;
    const html = fill(MAX_HTML_BYTES, '<p>', '</p>');
    const css = fill(MAX_CSS_BYTES, 'a{--x:', ';}');
    expect(Buffer.byteLength(html)).toBe(MAX_HTML_BYTES);
    expect(Buffer.byteLength(css)).toBe(MAX_CSS_BYTES);
    expect(sanitizeDesign({ html, css })).toEqual({ html, css });

    expectBadRequest(() => sanitizeDesign({ html: html + 'x', css: '' }), /HTML is larger than 512 KiB/);
    expectBadRequest(() => sanitizeDesign({ html: '', css: css + ' ' }), /CSS is larger than 512 KiB/);
    // Multi-byte characters count as bytes, not as characters.
    expectBadRequest(() => sanitizeDesign({ html: 'é'.repeat(MAX_HTML_BYTES / 2 + 1), css: '' }), /HTML is larger/);
  });

  it('refuses HTML whose escaped output would exceed the limit', () => {
    // 200 KiB of '>' becomes 800 KiB of '&gt;'; the result could not be saved again.
    expectBadRequest(() => sanitizeDesign({ html: '>'.repeat(200 * 1024), css: '' }), /HTML is larger than 512 KiB/);
  });

  it('refuses HTML with too many tags before parsing it', () => {
    expectBadRequest(() => sanitizeDesign({ html: '<i>'.repeat(MAX_HTML_TAGS + 1), css: '' }), /more than 20000 elements/);
    expect(() => sanitizeDesign({ html: '<br>'.repeat(MAX_HTML_TAGS), css: '' })).not.toThrow();
  });

  it('refuses a design that is not two strings', () => {
    expectBadRequest(() => sanitizeDesign({ html: 1, css: '' } as never), /html and css strings/);
  });
});
