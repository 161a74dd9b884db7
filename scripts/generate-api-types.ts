/** Writes ui/src/api-types.ts from the current routes (npm run generate:api-types). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { API_TYPES_FILE, generateApiTypes } from './api-types.js';

await writeFile(API_TYPES_FILE, await generateApiTypes());
process.stdout.write(`wrote ${path.relative(process.cwd(), API_TYPES_FILE)}\n`);
