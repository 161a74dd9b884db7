import { describe, expect, it } from 'vitest';
import { STARTER_DESIGNS } from '../shared/starter-designs.js';
import { designSize, FIELD_ATTR, LIST_ATTR } from '../shared/template-fields.js';
import { sanitizeDesign } from './template-sanitize.js';

describe('starter designs', () => {
  it('are a spotlight, a last-finishers list and a leaderboard, each landscape and portrait', () => {
    expect(STARTER_DESIGNS.map((s) => s.id).sort()).toEqual(
      ['leaderboard-landscape', 'leaderboard-portrait', 'recent-landscape', 'recent-portrait', 'spotlight-landscape', 'spotlight-portrait'],
    );
  });

  for (const starter of STARTER_DESIGNS) {
    it(`${starter.id} passes the sanitizer unchanged`, () => {
      expect(sanitizeDesign(starter.runner)).toEqual(starter.runner);
      expect(sanitizeDesign(starter.idle)).toEqual(starter.idle);
    });

    it(`${starter.id} is drawn at its format's size and shows runners`, () => {
      const { width, height } = designSize(starter.format);
      expect(starter.runner.css).toContain(`width:${width}px;height:${height}px;`);
      expect(starter.runner.html).toContain(`${FIELD_ATTR}="name"`);
      if (starter.layout === 'spotlight') expect(starter.runner.html).not.toContain(LIST_ATTR);
      else expect(starter.runner.html).toContain(`${LIST_ATTR}="${starter.layout}"`);
      expect(starter.idle.html).toContain(`${FIELD_ATTR}="idle_message"`);
    });
  }
});
