/** HTTP shapes of the results warehouse's own routes (the read API is src/rest). */
import { z } from 'zod';

export const rowErrorSchema = z.object({ row: z.number().describe('Line in the file (header = 1)'), reason: z.string() });

export const resultsImportSummarySchema = z.object({
  events: z.number().describe('Results events in the file (created or updated)'),
  races: z.number().describe('Races in the file'),
  inserted: z.number().describe('Results stored for the first time'),
  updated: z.number().describe('Results that were already stored (same event, race and bib) and were updated in place'),
  splits: z.number().describe('Split times stored'),
  errors: z.array(rowErrorSchema).describe('Rows not imported, by line'),
});
