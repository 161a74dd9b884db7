/** PostgreSQL COPY as the benches' ceiling: the rows out into memory, and back in. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/** The output of `COPY (query) TO STDOUT`, held in memory. */
export async function copyOut(client: pg.Client, query: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  await pipeline(
    client.query(copyTo(`COPY (${query}) TO STDOUT`)),
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
  );
  return chunks;
}

/** Seconds taken by `COPY table (columns) FROM STDIN` of what copyOut returned. */
export async function copyIn(client: pg.Client, table: string, columns: string, chunks: Buffer[]): Promise<number> {
  const started = performance.now();
  await pipeline(Readable.from(chunks), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
  return (performance.now() - started) / 1000;
}
