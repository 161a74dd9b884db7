/**
 * The ingest pipeline: every accepted read goes through here to timing_reads.
 *
 *   memory mode  reads queue in memory; one writer commits them in batches (one INSERT of
 *                thousands of rows per transaction: the seed committed row by row).
 *   spool mode   entered when the database fails or the queue passes its high-water mark;
 *                reads are appended to the disk spool and drained, in order, once the
 *                database answers again. Then back to memory mode.
 *
 * The unique key (session, source, location, sequence) makes every write idempotent, so
 * retries, spool replays and client re-sends never create duplicates.
 */
import { EventEmitter } from 'node:events';
import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { isRowContentError, isUniqueViolation } from '../db/errors.js';
import { setPartner } from '../db/tenant.js';
import { ensureStreams, insertReads, type InsertedKey, type ResolvedRead, type StreamKey } from './collector.repo.js';
import { toInstant } from './event-time.js';
import type { ResumeCursors } from './cursors.js';
import type { IngestRecord } from './ingest-record.js';
import type { SessionResolver } from './sessions.js';
import type { ActiveSession } from '../timing/timing.repo.js';
import type { Spool } from './spool.js';

export interface IngestOptions {
  batchSize?: number;
  /** Batches written at once (PGlite has one connection: 1). */
  writers?: number;
  /** Queue length past which reads spill to the spool instead of growing memory. */
  highWater?: number;
  /**
   * Reads waiting (in the memory queue, or for the spool's next fsync) past which the pipeline
   * asks for backpressure: the collector stops reading its sockets until they are below
   * a quarter of it, and TCP flow control slows the clients.
   */
  pauseAt?: number;
  /** More work waiting downstream of the writer (stored reads not yet on the live bus), counted in the same limit. */
  downstreamBacklog?: () => number;
  /** Where reads the database rejects as invalid are kept for inspection. */
  rejectDir: string;
  /** Nothing is written before this resolves (the schema checked); reads spool meanwhile. */
  ready?: Promise<void>;
}

/** A committed read: the record as received (not copied: one fewer object per read), and what storing gave it. */
export interface StoredRead {
  record: IngestRecord;
  id: number;
  sessionId: number;
  /** The read's time as an instant (epoch ms). */
  readTimeMs: number;
}

export interface IngestStats {
  received: number;
  stored: number;
  duplicates: number;
  rejected: number;
  spooled: number;
  batches: number;
  /** Batches written a second time because a duplicate read failed the first attempt. */
  duplicateRetries: number;
}

export class IngestPipeline extends EventEmitter<{ stored: [StoredRead[]]; mode: ['memory' | 'spool']; pressure: [boolean] }> {
  /** True while the collector should stop reading sockets (see IngestOptions.pauseAt). */
  paused = false;
  /** How many times backpressure was applied (for /status). */
  pauses = 0;
  private readonly pauseAt: number;
  mode: 'memory' | 'spool' = 'memory';
  readonly stats: IngestStats = { received: 0, stored: 0, duplicates: 0, rejected: 0, spooled: 0, batches: 0, duplicateRetries: 0 };
  dbConnected = true;
  /** The most recent write failure (for /status), cleared by the next successful write. */
  lastWriteError: string | null = null;
  private queue: IngestRecord[] = [];
  private inflight = 0;
  private draining = false;
  private drainLoop: Promise<void> = Promise.resolve();
  private closed = false;
  private pumpScheduled = false;
  /** Stream and location ids by session, source and location, filled as batches commit. */
  private streams = new StreamIds();
  private readonly batchSize: number;
  private readonly highWater: number;
  private readonly writers: number;
  private retryDelay = 250;
  /** Batches still to be written absorbing duplicates after one failed on a duplicate. */
  private absorbingBatches = 0;
  private wake: (() => void) | null = null;
  /** True until opts.ready resolves. */
  private waitingForSchema = false;
  private pressureTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionResolver,
    private readonly cursors: ResumeCursors,
    private readonly spool: Spool,
    private readonly log: Logger,
    private readonly opts: IngestOptions,
  ) {
    super();
    this.batchSize = opts.batchSize ?? 5000;
    // About 25 MB of queued reads; past it, disk takes the backlog instead of the heap.
    this.highWater = opts.highWater ?? 50_000;
    this.writers = opts.writers ?? 1;
    this.pauseAt = opts.pauseAt ?? Math.max(2 * this.batchSize * this.writers, 1000);
    spool.onDurable = (records) => {
      records.forEach((r) => this.cursors.note(r));
      this.checkPressure();
    };
    if (opts.ready) {
      this.waitingForSchema = true;
      this.lastWriteError = 'database unreachable: schema not yet checked';
      this.dbConnected = false;
      void opts.ready.then(() => {
        this.waitingForSchema = false;
        this.wake?.();
        void this.drain();
      });
    }
  }

  /** Starts draining a spool left by an earlier run (reads it first to know where streams stand). */
  async start(): Promise<void> {
    if (this.waitingForSchema) this.setMode('spool');
    if (this.spool.backlog > 0) {
      for (let pos = this.spool.offset; ; ) {
        const { records, next } = await this.spool.read(this.batchSize, pos);
        records.forEach((r) => this.cursors.note(r));
        if (next === pos) break;
        pos = next;
      }
      this.log.warn({ bytes: this.spool.backlog }, 'spool holds reads from an earlier run; draining');
      this.setMode('spool');
    }
    if (this.mode === 'spool') void this.drain();
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  submit(r: IngestRecord): void {
    this.stats.received++;
    // The resume cursor moves only once the read is durable (committed or fsynced to the
    // spool): a client told to resume after a read that is only in memory could lose it.
    if (this.mode === 'spool') {
      this.spool.append([r]);
      this.stats.spooled++;
      if (!this.paused && (this.spool.buffered >= this.pauseAt || this.downstream() >= this.pauseAt)) this.setPaused(true);
      return;
    }
    this.queue.push(r);
    if (!this.paused && (this.queue.length >= this.pauseAt || this.downstream() >= this.pauseAt)) this.setPaused(true);
    if (this.queue.length > this.highWater) {
      this.log.warn({ depth: this.queue.length }, 'database is not keeping up; spilling to the spool');
      void this.enterSpool([]);
      return;
    }
    if (!this.pumpScheduled && this.inflight < this.writers) {
      this.pumpScheduled = true;
      // Let the rest of this socket chunk's lines join the batch.
      setImmediate(() => {
        this.pumpScheduled = false;
        this.pump();
      });
    }
  }

  /** Resolves when everything accepted so far is stored (tests, shutdown). */
  async idle(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (this.mode === 'memory' && !this.draining && this.queue.length === 0 && this.inflight === 0 && !this.pumpScheduled && this.spool.idle && this.spool.backlog === 0) return true;
      await sleep(10);
    }
    return false;
  }

  /** Stops writing; whatever is not yet stored goes to the spool for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pressureTimer);
    this.wake?.();
    await this.drainLoop;
    for (const until = Date.now() + 10_000; this.inflight > 0 && Date.now() < until; ) await sleep(10);
    if (this.queue.length) {
      this.spool.append(this.queue);
      this.queue = [];
    }
    await this.spool.flush();
  }

  /**
   * Starts batch writes while there are queued reads and a free writer. With two writers,
   * Node prepares the next batch while PostgreSQL inserts the previous one.
   */
  private pump(): void {
    while (this.mode === 'memory' && this.queue.length > 0 && this.inflight < this.writers && !this.closed) {
      const batch = this.queue.length <= this.batchSize ? this.queue : this.queue.slice(0, this.batchSize);
      this.queue = batch === this.queue ? [] : this.queue.slice(this.batchSize);
      this.inflight++;
      this.writeIsolating(batch)
        .then(
          () => {
            this.dbConnected = true;
            this.lastWriteError = null;
          },
          async (err) => {
            this.dbConnected = false;
            this.lastWriteError = describe(err);
            this.log.error({ err: describe(err), batch: batch.length }, 'database write failed; spooling reads to disk');
            await this.enterSpool(batch);
          },
        )
        .finally(() => {
          this.inflight--;
          this.pump();
          this.checkPressure();
        });
    }
  }

  private async enterSpool(pending: IngestRecord[]): Promise<void> {
    const moved = [...pending, ...this.queue];
    this.queue = [];
    this.setMode('spool');
    this.spool.append(moved);
    this.stats.spooled += moved.length;
    await this.spool.flush().catch((err) => this.log.fatal({ err: describe(err) }, 'spool write failed'));
    void this.drain();
  }

  /** Moves spooled reads into the database, oldest first, until the spool is empty. */
  private drain(): Promise<void> {
    if (this.draining || this.closed) return this.drainLoop;
    this.draining = true;
    this.drainLoop = this.drainUntilEmpty()
      .catch((err: unknown) => {
        // Reads stay in the spool; the next failure or restart drains again.
        this.log.error({ err: describe(err) }, 'spool drain stopped');
      })
      .finally(() => {
        this.draining = false;
      });
    return this.drainLoop;
  }

  /**
   * Reads the spool ahead of its committed offset and keeps up to `writers` batches in
   * flight, committing offsets strictly in order. If a batch fails, the in-flight ones are
   * awaited and reading rewinds to the committed offset (rewritten rows are absorbed).
   */
  private async drainUntilEmpty(): Promise<void> {
    let readPos = this.spool.offset;
    const inflight: Array<{ next: number; ok: Promise<boolean> }> = [];
    const settleOldest = async (): Promise<boolean> => {
      const head = inflight.shift()!;
      if (!(await head.ok)) return false;
      await this.spool.commitOffset(head.next);
      return true;
    };
    const rewind = async () => {
      await Promise.all(inflight.splice(0).map((b) => b.ok));
      readPos = this.spool.offset;
      this.dbConnected = false;
      await this.pause(this.retryDelay);
      this.retryDelay = Math.min(this.retryDelay * 2, 5_000);
    };

    while (!this.closed) {
      if (this.waitingForSchema) {
        await this.pause(1_000);
        continue;
      }
      let batch: { records: IngestRecord[]; next: number };
      try {
        await this.spool.flush();
        batch = await this.spool.read(this.batchSize, readPos);
      } catch (err) {
        this.log.error({ err: describe(err) }, 'spool read failed; retrying');
        await this.pause(1_000);
        continue;
      }
      if (batch.records.length > 0) {
        readPos = batch.next;
        const ok = this.writeIsolating(batch.records).then(
          () => true,
          (err) => {
            if (this.dbConnected) this.log.warn({ err: describe(err) }, 'database still unavailable; reads stay spooled');
            this.lastWriteError = describe(err);
            return false;
          },
        );
        inflight.push({ next: batch.next, ok });
        if (inflight.length < this.writers) continue;
      } else if (inflight.length === 0) {
        // Synchronous check and switch: no append can slip in between.
        if (this.spool.idle && this.spool.offset >= this.spool.size) {
          this.setMode('memory');
          await this.spool.reset();
          this.pump();
          return;
        }
        if (batch.next > readPos) await this.spool.commitOffset((readPos = batch.next)); // torn lines skipped
        continue;
      }
      if (await settleOldest()) {
        this.dbConnected = true;
        this.lastWriteError = null;
        this.retryDelay = 250;
      } else {
        await rewind();
      }
    }
    // Closing: let in-flight batches finish and keep the offsets of those that succeeded.
    while (inflight.length > 0 && (await settleOldest()));
  }

  /**
   * Writes a batch; if the database rejects it for its content (not for being down), halves
   * it until the offending read is alone, sets that read aside, and stores the rest.
   */
  private async writeIsolating(batch: IngestRecord[]): Promise<void> {
    try {
      await this.write(batch);
    } catch (err) {
      // Only an error certainly about a row's content may set a read aside; anything else
      // (the database away, refusing, restarting, a timeout) keeps the batch for a retry.
      if (!isRowContentError(err)) throw err;
      if (batch.length === 1) {
        await this.reject(batch[0]!, err);
        return;
      }
      const mid = batch.length >> 1;
      await this.writeIsolating(batch.slice(0, mid));
      await this.writeIsolating(batch.slice(mid));
    }
  }

  private async write(batch: IngestRecord[]): Promise<void> {
    const resolved = await this.resolve(batch);
    const missing = new Map<string, StreamKey>();
    // Reads whose stream is created by this batch's transaction (each attempt gives them its ids).
    const unresolved: ResolvedRead[] = [];
    for (const r of resolved) {
      if (r.stream.id !== 0) continue;
      unresolved.push(r);
      const key = streamCacheKey(r.sessionId, r.record.sourceKey, r.record.location);
      missing.set(key, { partnerId: r.record.partnerId, sessionId: r.sessionId, sourceKey: r.record.sourceKey, location: r.record.location });
    }

    // Duplicates are rare outside spool replays (clients resume after the last stored read),
    // so a batch is first written without ON CONFLICT; if a duplicate fails it, the whole
    // transaction is written again absorbing duplicates, and so are the next few batches.
    const absorb = this.mode === 'spool' || this.absorbingBatches > 0;
    let committed: Awaited<ReturnType<IngestPipeline['commitBatch']>>;
    try {
      committed = await this.commitBatch(resolved, unresolved, missing, absorb);
    } catch (err) {
      if (absorb || !isUniqueViolation(err)) throw err;
      this.stats.duplicateRetries++;
      this.absorbingBatches = ABSORBING_BATCHES;
      committed = await this.commitBatch(resolved, unresolved, missing, true);
    }
    if (absorb && this.absorbingBatches > 0) this.absorbingBatches--;
    const { rows, created } = committed;
    // Cache ids only once committed: a rolled-back stream row does not exist.
    for (const { id, locationId, key } of created.values()) this.streams.set(key, { id, locationId });
    for (const r of batch) this.cursors.note(r);

    this.stats.batches++;
    this.stats.stored += rows.length;
    this.stats.duplicates += batch.length - rows.length;
    if (rows.length > 0 && this.listenerCount('stored') > 0) {
      // Numeric keys (sequence ≤ 999,999; stream × 10⁶ + sequence stays below 2⁵³): no string per read.
      const ids = new Map(rows.map((k) => [k.stream_id * 1_000_000 + k.sequence_number, k.id]));
      const stored: StoredRead[] = [];
      for (const r of resolved) {
        const key = r.stream.id * 1_000_000 + r.record.sequence;
        const id = ids.get(key);
        if (id === undefined) continue;
        // A read re-sent within the same batch was stored once: it is published once.
        ids.delete(key);
        stored.push({ record: r.record, id, sessionId: r.sessionId, readTimeMs: r.readTimeMs });
      }
      this.emit('stored', stored);
    }
  }

  /**
   * One transaction for the batch; row-level security checks each partner's rows under that
   * partner (a batch mixes the partners whose clients are streaming). Creates the streams not
   * yet known.
   */
  private async commitBatch(resolved: ResolvedRead[], unresolved: ResolvedRead[], missing: Map<string, StreamKey>, absorbDuplicates: boolean) {
    const byPartner = groupBy(resolved, (r) => r.record.partnerId);
    return this.db.transaction(async (tx) => {
      const created = new Map<string, { id: number; locationId: number; key: { sessionId: number; sourceKey: string; location: string } }>();
      const rows: InsertedKey[] = [];
      for (const [partnerId, group] of byPartner) {
        await setPartner(tx, partnerId);
        const keys = [...missing.values()].filter((k) => k.partnerId === partnerId);
        for (const s of await ensureStreams(tx, keys)) {
          created.set(streamCacheKey(s.session_id, s.source_key, s.location_name), {
            id: s.id,
            locationId: s.location_id,
            key: { sessionId: s.session_id, sourceKey: s.source_key, location: s.location_name },
          });
        }
        // Not `stream.id === 0`: after a rolled-back attempt these hold ids that no longer exist.
        for (const r of unresolved) {
          if (r.record.partnerId === partnerId) r.stream = created.get(streamCacheKey(r.sessionId, r.record.sourceKey, r.record.location))!;
        }
        rows.push(...(await insertReads(tx, group, absorbDuplicates)));
      }
      return { rows, created };
    });
  }

  /**
   * Gives each read its session (the partner's active one if it had none), stream and instant.
   * Sessions are looked up once per partner and session in the batch, not awaited per read
   * (5,000 awaits a batch were a visible share of a flood's CPU and garbage).
   */
  private async resolve(batch: IngestRecord[]): Promise<ResolvedRead[]> {
    const sessionKey = (r: IngestRecord) => `${r.partnerId}:${r.sessionId ?? 'active'}`;
    const sessions = new Map<string, ActiveSession>();
    let previous: IngestRecord | undefined;
    for (const record of batch) {
      if (previous && previous.partnerId === record.partnerId && previous.sessionId === record.sessionId) continue;
      previous = record;
      const key = sessionKey(record);
      if (sessions.has(key)) continue;
      sessions.set(
        key,
        record.sessionId === null ? await this.sessions.active(record.partnerId) : await this.sessions.session(record.partnerId, record.sessionId),
      );
    }
    const out: ResolvedRead[] = new Array(batch.length);
    let session: ActiveSession | undefined;
    previous = undefined;
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!;
      // Reads come in runs from one connection: look the session up only when the run changes.
      if (!previous || previous.partnerId !== record.partnerId || previous.sessionId !== record.sessionId) session = sessions.get(sessionKey(record))!;
      previous = record;
      out[i] = {
        record,
        sessionId: session!.id,
        stream: this.streams.get(session!.id, record.sourceKey, record.location) ?? NO_STREAM,
        readTimeMs: toInstant(record.timeKind, record.timeMs, session!),
      };
    }
    return out;
  }

  private async reject(r: IngestRecord, err: unknown): Promise<void> {
    this.stats.rejected++;
    // Re-sending a read the database refuses for its content cannot help: resume past it.
    this.cursors.note(r);
    this.log.error({ err: describe(err), line: r.rawLine }, 'database rejected a read; kept in rejected.ndjson');
    await appendFile(path.join(this.opts.rejectDir, 'rejected.ndjson'), JSON.stringify({ error: describe(err), read: r }) + '\n').catch(() => {});
  }

  /** Lifts backpressure once the backlog in memory is down to a quarter of the limit. */
  private checkPressure(): void {
    if (this.paused && this.queue.length + this.spool.buffered <= this.pauseAt / 4 && this.downstream() <= this.pauseAt / 4) this.setPaused(false);
  }

  private downstream(): number {
    return this.opts.downstreamBacklog?.() ?? 0;
  }

  private setPaused(paused: boolean): void {
    if (this.paused === paused) return;
    this.paused = paused;
    if (paused) {
      this.pauses++;
      // What is downstream drains on its own schedule: look again until it has.
      this.pressureTimer = setInterval(() => this.checkPressure(), 50);
    } else {
      clearInterval(this.pressureTimer);
    }
    this.emit('pressure', paused);
  }

  private setMode(mode: 'memory' | 'spool'): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.emit('mode', mode);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }
}

/** After a batch failed on a duplicate read, this many batches absorb duplicates from the start (a client re-sending its backlog would fail each). */
const ABSORBING_BATCHES = 20;

/** A stream not yet created: write() gives the read its own once the batch's streams exist. */
const NO_STREAM: Readonly<{ id: number; locationId: number }> = Object.freeze({ id: 0, locationId: 0 });

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function streamCacheKey(sessionId: number, sourceKey: string, location: string): string {
  return `${sessionId}|${sourceKey}|${location}`;
}

/** Stream ids by session, source and location: nested maps, so a lookup per read builds no key string. */
class StreamIds {
  private readonly bySession = new Map<number, Map<string, Map<string, { id: number; locationId: number }>>>();

  get(sessionId: number, sourceKey: string, location: string): { id: number; locationId: number } | undefined {
    return this.bySession.get(sessionId)?.get(sourceKey)?.get(location);
  }

  set(key: { sessionId: number; sourceKey: string; location: string }, stream: { id: number; locationId: number }): void {
    let bySource = this.bySession.get(key.sessionId);
    if (!bySource) this.bySession.set(key.sessionId, (bySource = new Map()));
    let byLocation = bySource.get(key.sourceKey);
    if (!byLocation) bySource.set(key.sourceKey, (byLocation = new Map()));
    byLocation.set(key.location, stream);
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
