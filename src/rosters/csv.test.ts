import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { csvMappingSchema, MAX_CSV_ROWS, PARSE_SLICE, parseCsv, previewCsv, rowToParticipant, suggestMapping, type CsvMapping } from './csv.js';
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
    const before = 'Bib,Name,Chip\n1,';
    const after = ',T0\n2,';
    const text = before + 'A'.repeat(PARSE_SLICE - 1 - before.length - after.length) + after + '🏃 Run,T1\n';
    expect(text.charCodeAt(PARSE_SLICE - 1)).toBe('🏃'.charCodeAt(0)); // the high half ends the first slice
    expect((await parseCsv(text)).rows[1]!.cells).toEqual(['2', '🏃 Run', 'T1']);
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
