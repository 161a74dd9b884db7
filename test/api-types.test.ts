/**
 * The UI's API types are generated from the OpenAPI document (npm run generate:api-types) and
 * checked in; this fails when a route's schema changed and the file was not regenerated.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypesOf, openApiDocument } from '../scripts/api-types.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb.drop();
});

describe('ui/src/api-types.ts', () => {
  it('is what the current routes generate', async () => {
    const checkedIn = await readFile(API_TYPES_FILE, 'utf8');
    const generated = await apiTypesOf(await openApiDocument(testDb.db));
    if (generated !== checkedIn) {
      expect.fail('ui/src/api-types.ts is out of date with the routes: run npm run generate:api-types');
    }
  });

  it('comes from a document that is the same, in the same order, on every build', async () => {
    const first = JSON.stringify(await openApiDocument(testDb.db));
    const second = JSON.stringify(await openApiDocument(testDb.db));
    expect(second).toBe(first);
  });
});
