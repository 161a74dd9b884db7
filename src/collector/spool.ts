/**
 * The disk spool: while PostgreSQL is down or too slow, reads are appended here (one JSON
 * record a line, fsynced in groups) and later drained into the database in order. A drain
 * offset file makes a restart mid-drain continue where it stopped; anything replayed twice
 * is absorbed by the reads' unique key anyway.
 */
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { IngestRecord } from './ingest-record.js';

const READ_CHUNK = 4 * 1024 * 1024;

export class Spool {
  private fh: FileHandle | null = null;
  private buffer: string[] = [];
  /** The records behind `buffer`, handed to onDurable once fsynced. */
  private bufferedRecords: IngestRecord[] = [];
  /** Called with records once they are on disk (the resume cursors count only durable reads). */
  onDurable: ((records: readonly IngestRecord[]) => void) | null = null;
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Bytes in the file (flushed). */
  size = 0;
  /** Bytes already drained into the database. */
  offset = 0;

  constructor(private readonly dir: string) {}

  private get file(): string {
    return path.join(this.dir, 'reads.ndjson');
  }

  private get offsetFile(): string {
    return path.join(this.dir, 'reads.offset');
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.fh = await open(this.file, 'a+');
    this.size = (await this.fh.stat()).size;
    await this.dropTornTail();
    this.offset = await readFile(this.offsetFile, 'utf8')
      .then((t) => Math.min(Number(t.trim()) || 0, this.size))
      .catch(() => 0);
  }

  /**
   * A crash in the middle of a write can leave a partial last line; later appends would glue
   * onto it and corrupt a good record, so cut the file back to its last complete line.
   */
  private async dropTornTail(): Promise<void> {
    const fh = this.requireOpen();
    if (this.size === 0) return;
    const tailLen = Math.min(this.size, 64 * 1024);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, this.size - tailLen);
    if (tail[tailLen - 1] === 0x0a) return;
    const lastNl = tail.lastIndexOf(0x0a);
    this.size = lastNl === -1 ? Math.max(0, this.size - tailLen) : this.size - tailLen + lastNl + 1;
    await fh.truncate(this.size);
  }

  /** Records accepted but not yet written to the file. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Bytes waiting to be drained. */
  get backlog(): number {
    return this.size - this.offset + this.buffer.reduce((n, l) => n + l.length, 0);
  }

  get idle(): boolean {
    return this.buffer.length === 0 && this.flushing === null;
  }

  /** Queues records for the file; they are durable once flush() resolves. */
  append(records: readonly IngestRecord[]): void {
    for (const r of records) {
      this.buffer.push(JSON.stringify(r) + '\n');
      this.bufferedRecords.push(r);
    }
    // A short delay groups many appends into one write + fsync.
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = null;
      void this.flush().catch(() => {});
    }, 5);
  }

  /** Writes and fsyncs everything buffered. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const data = this.buffer.join('');
    const records = this.bufferedRecords;
    this.buffer = [];
    this.bufferedRecords = [];
    this.flushing = (async () => {
      const fh = this.requireOpen();
      try {
        await fh.write(data, null, 'utf8');
        await fh.datasync();
      } catch (err) {
        // Not on disk: keep them for the next flush rather than forgetting them.
        this.buffer.unshift(data);
        this.bufferedRecords.unshift(...records);
        throw err;
      }
      this.size += Buffer.byteLength(data);
      this.onDurable?.(records);
    })();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  /** Reads up to `max` records from the drain offset; `next` is the offset after them. */
  async read(max: number, from = this.offset): Promise<{ records: IngestRecord[]; next: number }> {
    const fh = this.requireOpen();
    const records: IngestRecord[] = [];
    let pos = from;
    while (records.length < max && pos < this.size) {
      const len = Math.min(READ_CHUNK, this.size - pos);
      const buf = Buffer.alloc(len);
      const { bytesRead } = await fh.read(buf, 0, len, pos);
      const lastNl = buf.lastIndexOf(0x0a, bytesRead - 1);
      if (lastNl === -1) break; // a torn final line from a crash mid-write: wait for more or reset
      let start = 0;
      while (start <= lastNl && records.length < max) {
        const nl = buf.indexOf(0x0a, start);
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        try {
          records.push(JSON.parse(line) as IngestRecord);
        } catch {
          // A line torn by a crash: skip it. Its read is re-sent by the client on resume.
        }
      }
      pos += start;
    }
    return { records, next: pos };
  }

  async commitOffset(next: number): Promise<void> {
    this.offset = next;
    const tmp = this.offsetFile + '.tmp';
    await writeFile(tmp, String(next));
    await rename(tmp, this.offsetFile);
  }

  /** Empties the spool. Only call when everything was drained and nothing is buffered. */
  async reset(): Promise<void> {
    const fh = this.requireOpen();
    await fh.truncate(0);
    await fh.datasync();
    this.size = 0;
    await this.commitOffset(0);
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flush().catch(() => {});
    await this.fh?.close();
    this.fh = null;
  }

  private requireOpen(): FileHandle {
    if (!this.fh) throw new Error('spool is not open');
    return this.fh;
  }
}
