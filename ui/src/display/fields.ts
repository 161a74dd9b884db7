/** A runner event's values for each template field, as the screen shows them. */
import { TEMPLATE_FIELDS, type Runner, type TemplateField } from '../../../src/shared/template-fields.js';

export type { Runner };


/** 3:12:45 (or 12:45 under an hour); '' when unknown. */
export function formatElapsed(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return '';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** Time of day in the screen's own zone (the screen stands at the race). */
export function formatTimeOfDay(epochMs: number): string {
  return new Date(epochMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/**
 * Every field's text for a runner. `message` falls back to the rotating list's next entry
 * (chosen by the caller); fields with nothing to say are '' (never a placeholder).
 */
export function fieldValues(r: Runner, rotatingMessage: string): Record<TemplateField, string> {
  const values = {} as Record<TemplateField, string>;
  for (const f of TEMPLATE_FIELDS) values[f] = '';
  Object.assign(values, {
    bib: r.bib,
    name: r.name || (r.unknown ? `Bib ${r.bib}` : ''),
    first_name: r.first_name,
    last_name: r.last_name,
    city_state: r.city_state,
    city: r.city,
    state: r.state,
    country: r.country,
    age: r.age,
    gender: r.gender,
    division: r.division,
    race: r.race,
    wave: r.wave,
    team: r.team,
    message: r.message || rotatingMessage,
    server_message: r.server_message,
    time_of_day: formatTimeOfDay(r.readTimeMs),
    elapsed: formatElapsed(r.elapsedMs),
    location: r.location,
  });
  return values;
}
