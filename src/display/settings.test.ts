import { describe, expect, it } from 'vitest';
import { DISPLAY_SETTINGS_DEFAULTS, DISPLAY_SETTINGS_LIMITS } from '../shared/display-settings.js';
import { displaySettingsSchema, withDefaults } from './settings.js';

describe('display settings', () => {
  it('fills every default from the shared defaults (the dashboard shows the same ones)', () => {
    expect(withDefaults({})).toEqual(DISPLAY_SETTINGS_DEFAULTS);
    expect(withDefaults(null)).toEqual(DISPLAY_SETTINGS_DEFAULTS);
    expect(withDefaults({ minDisplayMs: 8_000 })).toEqual({ ...DISPLAY_SETTINGS_DEFAULTS, minDisplayMs: 8_000 });
  });

  it('never hands out the shared default lists themselves (a caller changing one changes no other link)', () => {
    const a = withDefaults({});
    a.idleMessages.push('changed');
    expect(withDefaults({}).idleMessages).toEqual(DISPLAY_SETTINGS_DEFAULTS.idleMessages);
    expect(DISPLAY_SETTINGS_DEFAULTS.idleMessages).not.toContain('changed');
  });

  it('refuses values outside the shared limits', () => {
    const [min, max] = DISPLAY_SETTINGS_LIMITS.minDisplayMs;
    expect(displaySettingsSchema.safeParse({ minDisplayMs: min - 1 }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ minDisplayMs: max + 1 }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ minDisplayMs: max }).success).toBe(true);
    expect(displaySettingsSchema.safeParse({ maxQueue: DISPLAY_SETTINGS_LIMITS.maxQueue[1] + 1 }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ serverMessages: Array(DISPLAY_SETTINGS_LIMITS.serverMessages + 1).fill('x') }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ idleMessages: ['x'.repeat(DISPLAY_SETTINGS_LIMITS.messageLength + 1)] }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ dropPolicy: 'random' }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ races: Array(DISPLAY_SETTINGS_LIMITS.groups + 1).fill('5K') }).success).toBe(false);
    expect(displaySettingsSchema.safeParse({ waves: ['x'.repeat(DISPLAY_SETTINGS_LIMITS.groupLength + 1)] }).success).toBe(false);
    expect(displaySettingsSchema.parse({ races: [' 5K '] }).races).toEqual(['5K']);
  });

  it('falls back to the defaults for stored settings it cannot read (an older or damaged row)', () => {
    expect(withDefaults({ maxQueue: 'lots' })).toEqual(DISPLAY_SETTINGS_DEFAULTS);
  });
});
