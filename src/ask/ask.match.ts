/**
 * Fuzzy matching of the names a question says against the partner's own events: word
 * tokens compared by trigram similarity (pg_trgm's measure, computed here so PGlite and the
 * server agree), the distinctive words of a name (not its year, distance or "run") required.
 */
import { DISTANCES } from './definitions.js';

/** Words an event name shares with many others: they rank candidates but never make one. */
const GENERIC = new Set([
  'the', 'annual', 'race', 'races', 'run', 'runs', 'marathon', 'half', 'k', 'km', 'mi', 'mile', 'miles', 'fun', 'trail', 'ultra', 'and', 'of', 'classic',
  'charity', 'series', 'challenge', 'festival', 'relay', 'walk', 'dash', 'st', 'saint', 'city', 'international', 'intl',
  ...DISTANCES.flatMap((d) => d.words.flatMap((w) => w.split(/\s+/))),
]);
/** Generic words that tell one kind of event from another ("half", "trail"): a question naming one the event lacks ranks it lower. */
const KIND_WORDS = new Set(['half', 'trail', 'ultra', 'fun', 'relay', 'walk', '5k', '10k', '8k', '15k', '50k', '100k', 'mile', 'miles']);

export function words(s: string): string[] {
  return s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').split(/[^a-z0-9]+/).filter(Boolean);
}

function trigrams(word: string): Set<string> {
  const padded = `  ${word} `;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  return out;
}

/** pg_trgm's similarity of two words: shared trigrams over all trigrams. */
export function similarity(a: string, b: string): number {
  return gramSimilarity(a, trigrams(a), b, trigrams(b));
}

export interface EventRow { id: number; name: string; start_date: string | null }
export interface EventMatch { event: EventRow; score: number; matched: string[] }

const isYear = (w: string) => /^(19|20)\d{2}$/.test(w);

/** An event's name split once: its words, distinctive words with their trigrams, generic words. */
interface PreparedEvent { event: EventRow; name: string[]; distinctive: Array<{ word: string; grams: Set<string> }>; generic: string[] }

/**
 * The prepared names of an event list, kept as long as the list itself (the service keeps a
 * partner's list while it is current): a question is then compared with thousands of names
 * without splitting them or building their trigrams again.
 */
const prepared = new WeakMap<EventRow[], PreparedEvent[]>();

function prepare(events: EventRow[]): PreparedEvent[] {
  let p = prepared.get(events);
  if (!p) {
    p = events.map((event) => {
      const name = words(event.name).filter((w) => !isYear(w));
      return { event, name, distinctive: name.filter((w) => !GENERIC.has(w)).map((word) => ({ word, grams: trigrams(word) })), generic: name.filter((w) => GENERIC.has(w)) };
    });
    prepared.set(events, p);
  }
  return p;
}

function gramSimilarity(a: string, A: Set<string>, b: string, B: Set<string>): number {
  if (a === b) return 1;
  let both = 0;
  for (const t of A) if (B.has(t)) both++;
  return both / (A.size + B.size - both);
}

/** The events whose distinctive words the question says (each ≥ 0.5 similar to a question word), best first. */
export function matchEvents(questionWords: string[], events: EventRow[]): EventMatch[] {
  const q = questionWords.filter((w) => !isYear(w)).map((word) => ({ word, grams: trigrams(word) }));
  const qWords = q.map((x) => x.word);
  const qKinds = qWords.filter((w) => KIND_WORDS.has(w));
  const out: EventMatch[] = [];
  for (const { event, name, distinctive, generic } of prepare(events)) {
    if (distinctive.length === 0) continue;
    let sum = 0;
    const matched: string[] = [];
    let all = true;
    for (const d of distinctive) {
      let best = 0;
      for (const w of q) best = Math.max(best, gramSimilarity(d.word, d.grams, w.word, w.grams));
      if (best < 0.5) {
        all = false;
        break;
      }
      matched.push(d.word);
      sum += best;
    }
    if (!all) continue;
    const genericHit = generic.length === 0 ? 1 : generic.filter((g) => qWords.includes(g)).length / generic.length;
    const missingKinds = qKinds.filter((k) => !name.includes(k)).length;
    const score = (sum / distinctive.length) * (0.85 + 0.15 * genericHit) - 0.2 * missingKinds;
    if (score > 0.4) out.push({ event, score: Math.round(score * 1000) / 1000, matched });
  }
  return out.sort((a, b) => b.score - a.score || (b.event.start_date ?? '').localeCompare(a.event.start_date ?? ''));
}

/** The words of a phrase that could name an event (not generic, not filler). */
export function distinctiveWords(phrase: string): string[] {
  return words(phrase).filter((w) => !GENERIC.has(w) && !isYear(w));
}

/** An event's name without its year: events that differ only by year are one series. */
export function seriesName(name: string): string {
  return name.replace(/\b(19|20)\d{2}\b/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
}
