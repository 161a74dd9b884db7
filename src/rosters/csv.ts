/**
 * Roster CSV files: parse (csv-parse), guess which column is which, and turn rows into
 * participant inputs. Pure: no database. Cells are data, never formulas or markup: a cell
 * like `=HYPERLINK(...)` or `<script>` is kept as the text it is (the display escapes on
 * render; nothing here evaluates anything).
 */
import { CsvError, parse, type Info } from 'csv-parse';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { yieldToLoop } from '../event-loop.js';
import { normalizeGender, type ParticipantInput, type RowError, type TextField } from './roster.schemas.js';

export const MAX_CSV_BYTES = 10 * 1024 * 1024;
export const MAX_CSV_ROWS = 100_000;
/**
 * Bounds that keep one upload from holding the event loop (issue 12, finding 6: a
 * 1,000,000-column header took 15 s): columns, the header line, and each cell. A preview
 * answer shows at most PREVIEW_CELL_CHARS of a cell, so it stays under ~1 MB.
 */
export const MAX_CSV_COLUMNS = 500;
export const MAX_HEADER_BYTES = 128 * 1024;
export const MAX_CELL_CHARS = 1000;
export const PREVIEW_CELL_CHARS = 100;

/** Which header feeds each participant field. `tags` may take several columns (chip 1, chip 2). */
export interface CsvMapping {
  bib: string;
  tags?: string[] | undefined;
  /** A full-name column, split into first/last when those are not mapped. */
  name?: string | undefined;
  external_id?: string | undefined;
  age?: string | undefined;
  gender?: string | undefined;
  first_name?: string | undefined;
  last_name?: string | undefined;
  city?: string | undefined;
  state?: string | undefined;
  country?: string | undefined;
  division?: string | undefined;
  race?: string | undefined;
  wave?: string | undefined;
  team?: string | undefined;
  custom_message?: string | undefined;
}

const header = z.string().min(1).max(200);
/** The mapping as an HTTP body or form field sends it (checked against the file's headers on import). */
export const csvMappingSchema = z.object({
  bib: header,
  tags: z.array(header).max(10).optional(),
  name: header.optional(),
  external_id: header.optional(),
  age: header.optional(),
  gender: header.optional(),
  first_name: header.optional(),
  last_name: header.optional(),
  city: header.optional(),
  state: header.optional(),
  country: header.optional(),
  division: header.optional(),
  race: header.optional(),
  wave: header.optional(),
  team: header.optional(),
  custom_message: header.optional(),
}) satisfies z.ZodType<CsvMapping>;

export interface CsvPreview {
  headers: string[];
  /** The first rows, cells in header order. */
  rows: string[][];
  /** Data rows in the file (header excluded). */
  totalRows: number;
  delimiter: string;
  suggestedMapping: Partial<CsvMapping>;
}

export interface ParsedCsv {
  headers: string[];
  /** Data rows with their line number in the file (1-based, header = line 1). */
  rows: { line: number; cells: string[] }[];
  delimiter: string;
  /** Records csv-parse could not read (bad quoting), by line. */
  errors: RowError[];
}

type SingleField = Exclude<keyof CsvMapping, 'tags'>;

/** Header spellings per field, compared lower-case without spaces, dots, dashes or underscores. */
const SYNONYMS: Record<SingleField, string[]> = {
  bib: ['bib', 'bibnumber', 'bibno', 'bibnum', 'bib#', 'racenumber', 'number', 'no', 'entrybib', 'dorsal'],
  external_id: ['externalid', 'entryid', 'registrationid', 'participantid', 'athleteid', 'id'],
  first_name: ['firstname', 'first', 'givenname', 'fname', 'forename', 'athletefirstname'],
  last_name: ['lastname', 'last', 'surname', 'familyname', 'lname', 'athletelastname'],
  name: ['name', 'fullname', 'athletename', 'participantname', 'runner', 'entryname', 'participant'],
  age: ['age', 'raceage', 'entryraceage', 'ageonraceday'],
  gender: ['gender', 'sex', 'athletesex', 'mf'],
  city: ['city', 'town', 'locationcity', 'hometown'],
  state: ['state', 'province', 'region', 'stateprovince', 'st', 'prov', 'locationregion'],
  country: ['country', 'nation', 'countrycode', 'nationality', 'locationcountry'],
  division: ['division', 'agegroup', 'category', 'bracket', 'div', 'ag', 'bracketname', 'class'],
  race: ['race', 'event', 'distance', 'racename', 'course', 'eventname'],
  wave: ['wave', 'startwave', 'corral', 'wavename', 'heat'],
  team: ['team', 'club', 'teamname', 'clubname', 'affiliation'],
  custom_message: ['message', 'custommessage', 'displaymessage', 'cheer', 'note', 'shoutout'],
};
const TAG_SYNONYM = /^(chip|tag|rfid|transponder)(s|code|id|number|no|num)?\d*$/;

const normalizeHeader = (h: string) => h.toLowerCase().replace(/[\s._\-()]/g, '');

/** Guesses a mapping from header names; unknown headers are left unmapped. */
export function suggestMapping(headers: readonly string[]): Partial<CsvMapping> {
  const out: Partial<CsvMapping> = {};
  const used = new Set<string>();
  const normalized = new Map(headers.map((h) => [h, normalizeHeader(h)]));
  const tags = headers.filter((h) => TAG_SYNONYM.test(normalized.get(h)!));
  tags.forEach((h) => used.add(h));
  if (tags.length > 0) out.tags = tags;
  // Fields in SYNONYMS order; within a field, the earliest synonym wins over the earliest column.
  for (const field of Object.keys(SYNONYMS) as SingleField[]) {
    for (const synonym of SYNONYMS[field]) {
      const header = headers.find((h) => !used.has(h) && normalized.get(h) === synonym);
      if (header !== undefined) {
        out[field] = header;
        used.add(header);
        break;
      }
    }
  }
  if (out.name !== undefined && out.first_name !== undefined && out.last_name !== undefined) delete out.name;
  return out;
}

/** The header line (up to the first line break; a quoted break in a header is not expected). */
function headerLine(text: string): string {
  const end = text.search(/\r?\n|$/);
  return text.slice(0, end);
}

/** Picks the delimiter that splits the header line into the most columns (outside quotes). */
function detectDelimiter(firstLine: string): { delimiter: string; columns: number } {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t', '|']) {
    let count = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) count++;
    }
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return { delimiter: best, columns: bestCount + 1 };
}

/** Unique, non-empty header names (duplicates get " (2)", blanks "Column N"). */
function uniqueHeaders(raw: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((h, i) => {
    const base = h.trim() === '' ? `Column ${i + 1}` : h.trim();
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base} (${n})`;
  });
}

/** Characters of the file handed to the parser at a time, the event loop running in between. */
export const PARSE_SLICE = 16 * 1024;

/**
 * Parses a roster file within the size limits (413 past 10 MB or 100,000 rows). `maxRows`
 * stops early (previews). A record csv-parse cannot read is reported, not fatal. The file is
 * fed in slices with the event loop running between them: a 10 MB file takes about a second
 * to parse, and open display streams must not stall meanwhile.
 */
export async function parseCsv(text: string, opts: { maxRows?: number } = {}): Promise<ParsedCsv & { totalRows: number }> {
  if (Buffer.byteLength(text, 'utf8') > MAX_CSV_BYTES) {
    throw new AppError('payload_too_large', `The CSV file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB.`);
  }
  const first = headerLine(text.replace(/^\uFEFF/, ''));
  if (Buffer.byteLength(first, 'utf8') > MAX_HEADER_BYTES) {
    throw new AppError('bad_request', `The CSV header line is longer than ${MAX_HEADER_BYTES / 1024} KiB.`);
  }
  const { delimiter, columns } = detectDelimiter(first);
  if (columns > MAX_CSV_COLUMNS) throw tooManyColumns();
  const errors: RowError[] = [];
  const records: { record: string[]; info: Info }[] = [];
  let failure = null as Error | null; // set by the parser's error callback
  const parser = parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // A record is at most every column at its longest cell (quotes and delimiters aside).
    max_record_size: MAX_CSV_COLUMNS * (MAX_CELL_CHARS + 3),
    info: true,
    on_skip: (err) => {
      if (err) errors.push({ row: typeof err.lines === 'number' ? err.lines : 0, reason: `unreadable CSV record: ${err.message}` });
    },
  });
  parser.on('readable', () => {
    let r: { record: string[]; info: Info } | null;
    while ((r = parser.read() as typeof r) !== null) records.push(r);
  });
  const ended = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (err) => {
      failure = err;
      resolve();
    });
  });
  const tooMany = () => records.length > MAX_CSV_ROWS + 1; // + the header line
  for (let at = 0; at < text.length && failure === null && !tooMany(); ) {
    let end = Math.min(text.length, at + PARSE_SLICE);
    // Never split a surrogate pair (an emoji in a name) between two slices.
    const last = text.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end++;
    parser.write(text.slice(at, end));
    at = end;
    await yieldToLoop();
  }
  parser.end();
  await ended;
  if (failure instanceof CsvError) throw new AppError('bad_request', `The CSV file cannot be read: ${failure.message}`);
  if (failure !== null) throw failure;
  const [head, ...data] = records;
  if (head === undefined) throw new AppError('bad_request', 'The CSV file is empty.');
  if (data.length > MAX_CSV_ROWS) {
    throw new AppError('payload_too_large', `The CSV file has more than ${MAX_CSV_ROWS.toLocaleString('en-US')} rows.`);
  }
  if (head.record.length > MAX_CSV_COLUMNS) throw tooManyColumns();
  const headers = uniqueHeaders(head.record);
  for (const r of records) {
    for (let i = 0; i < r.record.length && i < headers.length; i++) {
      if (r.record[i]!.length > MAX_CELL_CHARS) {
        throw new AppError('bad_request', `Line ${r.info.lines} of the CSV file has a cell longer than ${MAX_CELL_CHARS} characters.`);
      }
    }
  }
  const limit = opts.maxRows ?? data.length;
  return {
    headers,
    delimiter,
    errors,
    totalRows: data.length,
    rows: data.slice(0, limit).map((r) => ({ line: r.info.lines, cells: headers.map((_, i) => r.record[i] ?? '') })),
  };
}

function tooManyColumns(): AppError {
  return new AppError('bad_request', `The CSV file has more than ${MAX_CSV_COLUMNS} columns.`);
}

const previewCell = (c: string) => (c.length > PREVIEW_CELL_CHARS ? `${c.slice(0, PREVIEW_CELL_CHARS - 1)}…` : c);

/**
 * First step of an upload: headers, the first rows (each cell at most PREVIEW_CELL_CHARS)
 * and a guessed mapping for the user to confirm.
 */
export async function previewCsv(text: string, opts: { maxRows?: number } = {}): Promise<CsvPreview> {
  const parsed = await parseCsv(text, { maxRows: opts.maxRows ?? 10 });
  return {
    headers: parsed.headers,
    rows: parsed.rows.map((r) => r.cells.map(previewCell)),
    totalRows: parsed.totalRows,
    delimiter: parsed.delimiter,
    suggestedMapping: suggestMapping(parsed.headers),
  };
}

/** Refuses a mapping that names columns the file does not have, or has no bib column. */
export function checkMapping(mapping: CsvMapping, headers: readonly string[]): void {
  const known = new Set(headers);
  if (!mapping.bib) throw new AppError('bad_request', 'Choose the column that holds the bib number.');
  const named = [...Object.entries(mapping).filter(([k]) => k !== 'tags').map(([, v]) => v), ...(mapping.tags ?? [])];
  for (const h of named) {
    if (typeof h === 'string' && !known.has(h)) throw new AppError('bad_request', `The CSV file has no column "${h}".`);
  }
}

const SIMPLE_TEXT: TextField[] = ['first_name', 'last_name', 'city', 'state', 'country', 'division', 'race', 'wave', 'team', 'custom_message'];

/** Splits "Jane van der Berg" into first "Jane", last "van der Berg". */
function splitName(full: string): { first: string; last: string } {
  const t = full.trim().replace(/\s+/g, ' ');
  const i = t.indexOf(' ');
  return i < 0 ? { first: t, last: '' } : { first: t.slice(0, i), last: t.slice(i + 1) };
}

/**
 * One CSV row → a participant input, or the reason it cannot be one. Mapped columns with an
 * empty cell clear the field; unmapped fields are left out (kept on re-import).
 */
export function rowToParticipant(
  headers: readonly string[],
  cells: readonly string[],
  mapping: CsvMapping,
): { ok: true; input: ParticipantInput } | { ok: false; reason: string } {
  const cell = (h: string | undefined): string | undefined => {
    if (h === undefined) return undefined;
    const i = headers.indexOf(h);
    return i < 0 ? undefined : (cells[i] ?? '').trim();
  };
  const bib = cell(mapping.bib) ?? '';
  if (bib === '') return { ok: false, reason: 'missing bib' };
  const input: ParticipantInput = { bib };
  const raw: Record<string, string> = {};
  headers.forEach((h, i) => (raw[h] = cells[i] ?? ''));
  input.raw = raw;

  for (const field of SIMPLE_TEXT) {
    const v = cell(mapping[field]);
    if (v !== undefined) input[field] = v;
  }
  const full = cell(mapping.name);
  if (full !== undefined && (mapping.first_name === undefined || mapping.last_name === undefined)) {
    const { first, last } = splitName(full);
    if (mapping.first_name === undefined) input.first_name = first;
    if (mapping.last_name === undefined) input.last_name = last;
  }
  const ext = cell(mapping.external_id);
  if (ext !== undefined) input.external_id = ext === '' ? null : ext;
  if (mapping.tags !== undefined) {
    input.tags = [...new Set(mapping.tags.flatMap((h) => (cell(h) ?? '').split(/[\s,;|]+/)).filter((t) => t !== ''))];
  }
  const gender = cell(mapping.gender);
  if (gender !== undefined) input.gender = normalizeGender(gender);
  const age = cell(mapping.age);
  if (age !== undefined) {
    if (age === '') input.age = null;
    else if (!/^\d{1,3}(\.0+)?$/.test(age) || Number(age) > 130) return { ok: false, reason: `bad age "${age.slice(0, 20)}"` };
    else input.age = Math.trunc(Number(age));
  }
  return { ok: true, input };
}
