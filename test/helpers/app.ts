/** Test helpers for the web app: build it over a test database with a log you can read. */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { testConfig } from './config.js';
import type { Database } from '../../src/db/database.js';
import { buildWebApp } from '../../src/web/app.js';

export interface TestApp {
  app: FastifyInstance;
  /** Every log line written so far, parsed. */
  logLines(): Record<string, unknown>[];
}

export async function buildTestApp(db: Database): Promise<TestApp> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const app = await buildWebApp({ db, logger, config: testConfig({}) });
  return { app, logLines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
