/**
 * The fixed synthetic results the plain-English engine is tested and benched on: partner A
 * (two Boston Marathons, a Boston Half, Shamrock, Hartford; Michael Wardian twice, two John
 * Smiths) and partner B (Chicago). Imported through the results CSV import.
 */
const FIRST = ['Alex', 'Blair', 'Casey', 'Drew', 'Emery', 'Finley', 'Gray', 'Harper', 'Indy', 'Jules', 'Kit', 'Lane', 'Morgan'];
const LAST = ['Abbott', 'Barros', 'Chen', 'Dube', 'Eklund', 'Fox', 'Gupta', 'Hale', 'Ito', 'Jansen', 'Kowal'];

export interface Race { event: string; date: string; race: string; distance: string; n: number; baseMs: number; stepMs: number }

/** A deterministic field: runner i is M on odd i, aged 20 + (7i mod 50), every 11th a DNF, times base + i·step. */
export function csvFor(races: Race[], extra: string[] = []): string {
  const lines = ['event,event_date,race,distance,bib,first_name,last_name,gender,age,city,state,chip_time,status'];
  let bib = 1000;
  races.forEach((r, ri) => {
    for (let i = 1; i <= r.n; i++) {
      const ms = r.baseMs + i * r.stepMs;
      const dnf = i % 11 === 0;
      const t = new Date(ms).toISOString().slice(11, 19);
      lines.push([r.event, r.date, r.race, r.distance, String(bib++), FIRST[(i + ri) % FIRST.length], LAST[(i * 3 + ri) % LAST.length], i % 2 ? 'M' : 'F', String(20 + ((7 * i) % 50)), 'Springfield', 'IL', dnf ? '' : t, dnf ? 'DNF' : 'finished'].join(','));
    }
  });
  return [...lines, ...extra].join('\n') + '\n';
}

export const H = 3_600_000;
export const A_RACES: Race[] = [
  { event: 'Boston Marathon 2025', date: '2025-04-21', race: 'Marathon', distance: 'marathon', n: 60, baseMs: 2.5 * H, stepMs: 150_000 },
  { event: 'Boston Marathon 2025', date: '2025-04-21', race: '5K', distance: '5k', n: 20, baseMs: 0.3 * H, stepMs: 30_000 },
  { event: 'Boston Marathon 2026', date: '2026-04-20', race: 'Marathon', distance: 'marathon', n: 40, baseMs: 2.6 * H, stepMs: 160_000 },
  { event: 'Boston Half Marathon 2025', date: '2025-10-12', race: 'Half Marathon', distance: 'half marathon', n: 30, baseMs: 1.2 * H, stepMs: 60_000 },
  { event: 'Shamrock Marathon 2025', date: '2025-03-15', race: 'Marathon', distance: '26.2 mi', n: 35, baseMs: 2.7 * H, stepMs: 140_000 },
  { event: 'Hartford Marathon 2024', date: '2024-10-12', race: 'Marathon', distance: 'marathon', n: 25, baseMs: 2.8 * H, stepMs: 200_000 },
];
// People the questions name: Michael Wardian twice (PR 2:45:10), two John Smiths from different cities.
export const A_PEOPLE = [
  'Boston Marathon 2025,2025-04-21,Marathon,marathon,1,Michael,Wardian,M,51,Arlington,VA,2:50:00,finished',
  'Shamrock Marathon 2025,2025-03-15,Marathon,26.2 mi,1,Michael,Wardian,M,51,Arlington,VA,2:45:10,finished',
  'Boston Marathon 2025,2025-04-21,Marathon,marathon,2,John,Smith,M,40,Albany,NY,3:10:00,finished',
  'Shamrock Marathon 2025,2025-03-15,Marathon,26.2 mi,2,John,Smith,M,28,Denver,CO,3:20:00,finished',
];
export const B_RACES: Race[] = [
  { event: 'Chicago Marathon 2025', date: '2025-10-12', race: 'Marathon', distance: 'marathon', n: 30, baseMs: 2.4 * H, stepMs: 100_000 },
];
export const B_PEOPLE = ['Chicago Marathon 2025,2025-10-12,Marathon,marathon,1,Secret,Runner,F,33,Chicago,IL,2:30:00,finished'];

