import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { csvMappingSchema, MAX_CELL_CHARS, MAX_CSV_COLUMNS, MAX_CSV_ROWS, PARSE_SLICE, PREVIEW_CELL_CHARS, parseCsv, previewCsv, rowToParticipant, suggestMapping, type CsvMapping } from './csv.js';
import { normalizeGender } from './roster.schemas.js';

describe('previewCsv', () => {
  it('returns headers, the first rows and a guessed mapping', async () => {
    const text = '\uFEFFBib,First Name,LastName,Chip,Sex,Age,City,Division,Wave,Team,Message,Shoe size\n' +
      '101,Ann,Lee,A1,F,34,Boise,F30-39,1,Blue,Go Ann!,7\n' +
      '102,Bob,Ray,B2,M,41,Nampa,M40-49,2,,,10\n' +
      '103,Cy,Dee,C3,X,29,Eagle,X,1,,,9\n';
    const p = await previewCsv(text, { maxRows: 2 });
    expect(p.headers[0]).toBe('Bib');
    expect(p.rows).toEqual([
      ['101', 'Ann', 'Lee', 'A1', 'F', '34', 'Boise', 'F30-39', '1', 'Blue', 'Go Ann!', '7'],
      ['102', 'Bob', 'Ray', 'B2', 'M', '41', 'Nampa', 'M40-49', '2', '', '', '10'],
    ]);
    expect(p.totalRows).toBe(3);
    expect(p.suggestedMapping).toEqual({
      bib: 'Bib',
      first_name: 'First Name',
      last_name: 'LastName',
      tags: ['Chip'],
      gender: 'Sex',
      age: 'Age',
      city: 'City',
      division: 'Division',
      wave: 'Wave',
      team: 'Team',
      custom_message: 'Message',
    });
  });

  it('detects semicolon and tab delimiters and names blank/duplicate headers', async () => {
    expect((await previewCsv('Bib;Name;Tag\n1;"Smith; Jo";T1\n')).rows).toEqual([['1', 'Smith; Jo', 'T1']]);
    const tab = await previewCsv('Bib\tFirstName\t\tTag\tTag\n7\tAl\tx\tT7\tT8\n');
    expect(tab.delimiter).toBe('\t');
    expect(tab.headers).toEqual(['Bib', 'FirstName', 'Column 3', 'Tag', 'Tag (2)']);
    expect(tab.suggestedMapping.tags).toEqual(['Tag', 'Tag (2)']);
  });

  it('guesses a full-name column only when first and last are missing', () => {
    expect(suggestMapping(['Bib #', 'Name', 'Gender'])).toEqual({ bib: 'Bib #', name: 'Name', gender: 'Gender' });
    expect(suggestMapping(['Number', 'Tag Code', 'first', 'last'])).toEqual({ bib: 'Number', tags: ['Tag Code'], first_name: 'first', last_name: 'last' });
  });

  it('rejects files over the size and row limits with a clear error', async () => {
    const big = 'Bib\n' + 'x'.repeat(10 * 1024 * 1024);
    const err = await parseCsv(big).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(413);
    expect((err as AppError).message).toMatch(/larger than 10 MB/);
    const many = 'Bib\n' + Array.from({ length: MAX_CSV_ROWS + 1 }, (_, i) => String(i)).join('\n');
    await expect(parseCsv(many)).rejects.toThrowError(/more than 100,000 rows/);
    const exactly = 'Bib\n' + Array.from({ length: MAX_CSV_ROWS }, (_, i) => String(i)).join('\n');
    expect((await parseCsv(exactly)).totalRows).toBe(MAX_CSV_ROWS);
  });

  it('refuses a header of 1,000,000 columns at once (400), holding the event loop for no time', async () => {
    const wide = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',') + '\n1\n';
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    const err = await previewCsv(wide).catch((e: unknown) => e);
    const ms = performance.now() - started;
    clearInterval(timer);
    expect(err).toMatchObject({ code: 'bad_request', status: 400 });
    expect((err as AppError).message).toMatch(/longer than 128 KiB|more than 500 columns/);
    expect(ms).toBeLessThan(1000);
    expect(ticks).toBeLessThan(1000);
    // Short columns under 128 KiB: refused by the column count, before parsing.
    const many = Array.from({ length: 20_000 }, () => 'a').join(',') + '\n1\n';
    await expect(previewCsv(many)).rejects.toMatchObject({ code: 'bad_request', message: `The CSV file has more than ${MAX_CSV_COLUMNS} columns.` });
  });

  it('takes exactly 500 columns, refuses 501, and refuses a cell over 1,000 characters', async () => {
    const header = (n: number) => Array.from({ length: n }, (_, i) => (i === 0 ? 'Bib' : `c${i}`)).join(',');
    expect((await previewCsv(`${header(MAX_CSV_COLUMNS)}\n1\n`)).headers).toHaveLength(MAX_CSV_COLUMNS);
    await expect(previewCsv(`${header(MAX_CSV_COLUMNS + 1)}\n1\n`)).rejects.toMatchObject({ status: 400 });
    // Quoted, so the delimiter count of the header line does not see it: the parsed header does.
    await expect(previewCsv(`"${header(MAX_CSV_COLUMNS + 1).replace(/,/g, '","')}"\n1\n`)).rejects.toMatchObject({ status: 400 });
    expect((await parseCsv(`Bib,Name\n1,${'n'.repeat(MAX_CELL_CHARS)}\n`)).rows[0]!.cells[1]).toHaveLength(MAX_CELL_CHARS);
    await expect(parseCsv(`Bib,Name\n1,ok\n2,${'n'.repeat(MAX_CELL_CHARS + 1)}\n`)).rejects.toMatchObject({
      status: 400,
      message: `Line 3 of the CSV file has a cell longer than ${MAX_CELL_CHARS} characters.`,
    });
  });

  it('bounds a preview answer: cells cut to 100 characters', async () => {
    const preview = await previewCsv(`Bib,Name\n1,${'n'.repeat(900)}\n`);
    expect(preview.rows[0]![1]).toHaveLength(PREVIEW_CELL_CHARS);
    expect(preview.rows[0]![1]!.endsWith('…')).toBe(true);
  });

  it('rejects an empty file', async () => {
    await expect(previewCsv('')).rejects.toThrowError(/empty/);
  });

  it('parses a file fed in slices the same as whole: names with accents and emoji across slice edges, quoted newlines', async () => {
    // Rows of varied length so that slice edges (every 16 KiB) fall inside names, quotes and emoji.
    const names = ['Zoë', 'José 🏃‍♀️', 'Ødegård', '"Quoted, Name"', 'Line\nBreak', '李小龍', 'A'.repeat(97)];
    const rows = Array.from({ length: 6000 }, (_, i) => {
      const name = names[i % names.length]!;
      return `${i + 1},${/[",\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name},T${i}`;
    });
    const parsed = await parseCsv(`Bib,Name,Chip\n${rows.join('\n')}\n`);
    expect(parsed.totalRows).toBe(6000);
    expect(parsed.errors).toEqual([]);
    parsed.rows.forEach((r, i) => expect(r.cells).toEqual([String(i + 1), names[i % names.length], `T${i}`]));

    // An emoji exactly on a slice edge: its two UTF-16 halves must reach the parser together.
    // (Short rows fill the first slice: a cell may not exceed 1,000 characters.)
    const head = 'Bib,Name,Chip\n';
    const target = PARSE_SLICE - 1 - head.length - '2,'.length;
    let filler = '';
    while (target - filler.length > 200) filler += `1,${'A'.repeat(100)},T0\n`;
    filler += `1,${'A'.repeat(target - filler.length - 6)},T0\n`;
    const text = head + filler + '2,🏃 Run,T1\n';
    expect(text.charCodeAt(PARSE_SLICE - 1)).toBe('🏃'.charCodeAt(0)); // the high half ends the first slice
    expect((await parseCsv(text)).rows.at(-1)!.cells).toEqual(['2', '🏃 Run', 'T1']);
  });

  it('keeps the event loop turning while it parses a large file', async () => {
    const text = 'Bib,First,Last,City\n' + Array.from({ length: 60_000 }, (_, i) => `${i},Grace,Hopper,Arlington`).join('\n');
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      expect((await parseCsv(text)).totalRows).toBe(60_000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(3); // a parse in one piece lets no timer run at all
  });
});

describe('rowToParticipant', () => {
  const headers = ['Bib', 'Name', 'Chip', 'Chip 2', 'Sex', 'Age', 'Note'];
  const mapping: CsvMapping = { bib: 'Bib', name: 'Name', tags: ['Chip', 'Chip 2'], gender: 'Sex', age: 'Age', custom_message: 'Note' };

  it('maps cells, splits a full name, merges tag columns and normalizes gender', () => {
    const r = rowToParticipant(headers, [' 12 ', 'Jane van der Berg', 'AB01 AB02', 'AB02;AB03', 'female', '34', '=HYPERLINK("http://x")'], mapping);
    expect(r).toEqual({
      ok: true,
      input: {
        bib: '12',
        first_name: 'Jane',
        last_name: 'van der Berg',
        tags: ['AB01', 'AB02', 'AB03'],
        gender: 'F',
        age: 34,
        custom_message: '=HYPERLINK("http://x")',
        raw: { Bib: ' 12 ', Name: 'Jane van der Berg', Chip: 'AB01 AB02', 'Chip 2': 'AB02;AB03', Sex: 'female', Age: '34', Note: '=HYPERLINK("http://x")' },
      },
    });
  });

  it('reports a missing bib and a bad age', () => {
    expect(rowToParticipant(headers, ['', 'A B', '', '', 'M', '30', ''], mapping)).toEqual({ ok: false, reason: 'missing bib' });
    expect(rowToParticipant(headers, ['5', 'A B', '', '', 'M', 'thirty', ''], mapping)).toEqual({ ok: false, reason: 'bad age "thirty"' });
    expect(rowToParticipant(headers, ['5', 'A B', '', '', 'M', '-3', ''], mapping)).toEqual({ ok: false, reason: 'bad age "-3"' });
    expect(rowToParticipant(headers, ['5', 'A B', '', '', 'M', '', ''], mapping)).toMatchObject({ ok: true, input: { age: null } });
  });
});

describe('csvMappingSchema', () => {
  it('accepts a mapping with a bib column and refuses one without', () => {
    expect(csvMappingSchema.safeParse({ bib: 'Bib', tags: ['Chip', 'Chip 2'], age: 'Age' }).success).toBe(true);
    expect(csvMappingSchema.safeParse({ tags: ['Chip'] }).success).toBe(false);
    expect(csvMappingSchema.safeParse({ bib: 'Bib', age: 7 }).success).toBe(false);
  });
});

describe('normalizeGender', () => {
  it.each([
    ['M', 'M'],
    ['male', 'M'],
    [' Man ', 'M'],
    ['F', 'F'],
    ['Female', 'F'],
    ['w', 'F'],
    ['X', 'X'],
    ['Non-binary', 'X'],
    ['nb', 'X'],
    ['', 'U'],
    ['?', 'U'],
    ['unknown', 'U'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeGender(input)).toBe(expected);
  });
});
