/**
 * HTTP for the results warehouse's writes: the CSV import (a text/csv body). Reads go
 * through the PostgREST-compatible API (src/rest, /api/db).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authPartnerId, requireAuth, SECURED } from '../accounts/auth.js';
import { errorResponses } from '../http/error-handler.js';
import { MAX_CSV_BYTES } from '../rosters/csv.js';
import { resultsImportSummarySchema } from './results.schemas.js';
import type { Results } from './results.service.js';

const tags = ['results'];

export const resultsRoutes: FastifyPluginAsyncZod<{ results: Results }> = async (app, { results }) => {
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: MAX_CSV_BYTES }, (_request, body, done) => done(null, body));
  app.post(
    '/api/results/import',
    {
      onRequest: requireAuth('results:manage'),
      bodyLimit: MAX_CSV_BYTES,
      schema: {
        tags,
        security: SECURED,
        summary: 'Import results from a CSV file (text/csv body); good rows are stored, the others reported by line',
        description: 'Columns (header row, case-insensitive): event, event_date, event_city, event_state, event_country, race, distance, bib, first_name, last_name, gender, age, city, state, country, chip_time, gun_time, status, division, team, place, gender_place, division_place, split:<label>…',
        body: z.string().min(1),
        response: { 200: resultsImportSummarySchema, ...errorResponses },
      },
    },
    async (request) => results.importCsv(authPartnerId(request), request.body),
  );
};
