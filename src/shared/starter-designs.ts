/**
 * The starter designs a new template is made from (the Templates screen's gallery): a
 * one-runner spotlight, a list of the last finishers and a leaderboard, each for a landscape
 * (1920×1080) and a portrait (1080×1920) screen. They are written in the form the server's
 * sanitizer stores (canonical `selector{prop:value;}` CSS, attributes with values), so saving
 * one changes nothing (src/templates/starter-designs.test.ts), and in the form the builder
 * exports (one root element whose id the CSS styles, absolutely placed blocks), so the builder
 * opens one as if it had made it.
 */
import { designSize, type TemplateDesign, type TemplateFormat } from './template-fields.js';

export type StarterLayout = 'spotlight' | 'recent' | 'leaderboard';

export interface StarterDesign {
  /** Stable id, e.g. "leaderboard-portrait". */
  id: string;
  layout: StarterLayout;
  format: TemplateFormat;
  label: string;
  description: string;
  runner: TemplateDesign;
  idle: TemplateDesign;
}

const INK = '#ffffff';
const NAVY = '#0b1d3a';
const GOLD = '#ffcc00';
const MUTED = '#c9d6ea';
const FONT = 'Arial, Helvetica, sans-serif';

type Rules = Array<[selector: string, declarations: Record<string, string>]>;

/** CSS in the sanitizer's canonical form. */
function css(rules: Rules): string {
  return rules.map(([sel, decls]) => `${sel}{${Object.entries(decls).map(([p, v]) => `${p}:${v};`).join('')}}`).join('');
}

/** The root's box, as the builder exports it (its own defaults, then the starter's colours). */
function root(id: string, format: TemplateFormat): Rules {
  const { width, height } = designSize(format);
  return [
    [
      `#${id}`,
      {
        position: 'relative',
        width: `${width}px`,
        height: `${height}px`,
        overflow: 'hidden',
        margin: '0',
        'background-color': NAVY,
        color: INK,
        'font-family': FONT,
      },
    ],
  ];
}

function box(left: number, top: number, width: number, height: number, extra: Record<string, string> = {}): Record<string, string> {
  return { position: 'absolute', left: `${left}px`, top: `${top}px`, width: `${width}px`, height: `${height}px`, ...extra };
}

const oneLine = { 'white-space': 'nowrap', overflow: 'hidden' };

function idle(format: TemplateFormat, key: string): TemplateDesign {
  const id = `p88-${key}-idle`;
  const { width, height } = designSize(format);
  const w = width - 240;
  return {
    html: `<div id="${id}"><div class="p88s-idle" data-p88-field="idle_message" data-p88-fit="">Welcome to the finish</div></div>`,
    css: css([
      ...root(id, format),
      [`#${id} .p88s-idle`, box(120, height / 2 - 100, w, 200, { 'font-size': '120px', 'font-weight': '700', 'text-align': 'center', 'line-height': '200px', ...oneLine })],
    ]),
  };
}

function spotlight(format: TemplateFormat): StarterDesign {
  const key = `spotlight-${format}`;
  const id = `p88-${key}-runner`;
  const portrait = format === 'portrait';
  const { width } = designSize(format);
  const w = width - 240;
  const top = portrait ? 420 : 140;
  return {
    id: key,
    layout: 'spotlight',
    format,
    label: 'Spotlight',
    description: 'One runner at a time, big: bib, name, home town, message and time.',
    runner: {
      html:
        `<div id="${id}">` +
        `<div class="p88s-bib" data-p88-field="bib" data-p88-fit="">1234</div>` +
        `<div class="p88s-name" data-p88-field="name" data-p88-fit="">Runner Name</div>` +
        `<div class="p88s-city" data-p88-field="city_state" data-p88-fit="">City, ST</div>` +
        `<div class="p88s-message" data-p88-field="message" data-p88-fit="">Message</div>` +
        `<div class="p88s-time" data-p88-field="elapsed">0:00:00</div>` +
        `</div>`,
      css: css([
        ...root(id, format),
        [`#${id} .p88s-bib`, box(120, top, w, 120, { 'font-size': '96px', 'font-weight': '700', color: GOLD, ...oneLine })],
        [`#${id} .p88s-name`, box(120, top + 160, w, portrait ? 400 : 220, { 'font-size': portrait ? '150px' : '180px', 'font-weight': '800', 'line-height': '1.1', overflow: 'hidden' })],
        [`#${id} .p88s-city`, box(120, top + (portrait ? 600 : 420), w, 100, { 'font-size': '72px', color: MUTED, ...oneLine })],
        [`#${id} .p88s-message`, box(120, top + (portrait ? 740 : 540), w, portrait ? 320 : 160, { 'font-size': '64px', 'font-style': 'italic', color: '#9fe3b8', overflow: 'hidden' })],
        [`#${id} .p88s-time`, box(120, top + (portrait ? 1120 : 720), w, 100, { 'font-size': '80px', 'font-weight': '700', ...oneLine })],
      ]),
    },
    idle: idle(format, key),
  };
}

function list(layout: 'recent' | 'leaderboard', format: TemplateFormat): StarterDesign {
  const key = `${layout}-${format}`;
  const id = `p88-${key}-runner`;
  const portrait = format === 'portrait';
  const { width, height } = designSize(format);
  const w = width - 160;
  const rows = portrait ? 14 : 8;
  const title = layout === 'recent' ? 'Latest finishers' : 'Leaderboard';
  const cells =
    `<span class="p88s-rank" data-p88-field="rank">1</span>` +
    `<span class="p88s-rname" data-p88-field="name" data-p88-fit="">Runner Name</span>` +
    (portrait ? '' : `<span class="p88s-rcity" data-p88-field="city_state" data-p88-fit="">City, ST</span>`) +
    `<span class="p88s-relapsed" data-p88-field="elapsed">0:00:00</span>`;
  const cell = (extra: Record<string, string>) => ({ ...oneLine, ...extra });
  return {
    id: key,
    layout,
    format,
    label: layout === 'recent' ? 'Last finishers' : 'Leaderboard',
    description:
      layout === 'recent'
        ? `The last ${rows} finishers, newest on top: shows every finisher however fast they arrive.`
        : `The ${rows} fastest so far, by elapsed time.`,
    runner: {
      html:
        `<div id="${id}">` +
        `<div class="p88s-title">${title}</div>` +
        `<div class="p88s-list" data-p88-list="${layout}" data-p88-rows="${rows}"><div class="p88s-row" data-p88-row="">${cells}</div></div>` +
        `</div>`,
      css: css([
        ...root(id, format),
        [`#${id} .p88s-title`, box(80, 50, w, 110, { 'font-size': '80px', 'font-weight': '800', color: GOLD, ...oneLine })],
        [`#${id} .p88s-list`, box(80, 190, w, height - 240, { display: 'flex', 'flex-direction': 'column', gap: '12px' })],
        [`#${id} .p88s-row`, { display: 'flex', 'align-items': 'center', gap: '32px', height: '100px', padding: '0 24px', 'background-color': 'rgba(255, 255, 255, 0.08)', 'font-size': '56px' }],
        [`#${id} .p88s-rank`, cell({ width: '90px', 'font-weight': '800', color: GOLD, 'text-align': 'right' })],
        [`#${id} .p88s-rname`, cell({ flex: '1', 'font-weight': '700' })],
        [`#${id} .p88s-rcity`, cell({ width: '480px', color: MUTED })],
        [`#${id} .p88s-relapsed`, cell({ width: portrait ? '260px' : '300px', 'text-align': 'right' })],
      ]),
    },
    idle: idle(format, key),
  };
}

export const STARTER_DESIGNS: readonly StarterDesign[] = (['landscape', 'portrait'] as const).flatMap((format) => [
  spotlight(format),
  list('recent', format),
  list('leaderboard', format),
]);
