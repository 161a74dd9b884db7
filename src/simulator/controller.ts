/**
 * A simulated ChronoTrack timing controller: the CTP01 *client*. It holds a generated race's
 * observations, connects to a collector over real TCP, negotiates, answers commands and
 * pushes reads as they become due on a race clock scaled by `speed`. It never decides where
 * a stream resumes: after any (re)connect it streams only what the server `start`s.
 *
 * This file is the connection's life: connect, greeting and options (negotiation.ts),
 * authorization, commands, drops and reconnects, and the pump that writes due lines with
 * backpressure. Which line is due is the emission schedule's (emission.ts); what each
 * location has sent and the server holds is location-progress.ts.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { ack, authString, clientGreeting, command, err, LineSplitter, parseServerLine, tagLine, type AuthMethod } from '../ctp01/index.js';
import { version } from '../version.js';
import { EmissionSchedule } from './emission.js';
import { LocationProgress, type LocationStats } from './location-progress.js';
import { AUTH_METHODS, negotiate, type Negotiated } from './negotiation.js';
import { createRng, type Rng } from './prng.js';
import { formatRaceTime, type Race, type SimObservation } from './race.js';

export type { LocationStats } from './location-progress.js';

export const SIMULATOR_PROGRAM = 'P88Simulator';
export const SIMULATOR_VERSION = version;

export interface ControllerOptions {
  race: Race;
  host?: string;
  port?: number;
  /** Stable across reconnects; the server resumes streams by it. */
  connectionId?: string;
  program?: string;
  version?: string;
  user?: string;
  password?: string;
  /** Race ms per wall ms: 1 real time, 60 one race minute per second, Infinity as fast as the socket takes. */
  speed?: number;
  /** Wall ms after start() at which a location comes online; absent = online from the start. */
  onlineAfterMs?: Record<string, number>;
  /** Send our own `ping` this often (0 = never); no `ack~ping` within pingTimeoutMs drops the link. */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** A server that has not finished greeting (and authorizing) us within this time is dropped and retried. */
  handshakeTimeoutMs?: number;
  /** Drop the link after this many tag lines on one connection (0 = never). */
  dropEveryLines?: number;
  /** Chance per tag line sent of dropping the link right after it. */
  dropProbability?: number;
  /** graceful: FIN after the lines written so far; abrupt: RST, in-flight lines may be lost. */
  dropMode?: 'graceful' | 'abrupt';
  /** Stop simulating drops after this many. */
  maxDrops?: number;
  reconnect?: boolean;
  reconnectDelayMs?: number;
  /** Lines joined into one socket write. */
  batchLines?: number;
  /** Seeds the drop-probability dice. */
  seed?: number;
  onEvent?: (event: ControllerEvent) => void;
}

export type ControllerEvent =
  | { type: 'connected'; connection: number }
  | { type: 'ready'; connection: number; options: Record<string, string> }
  | { type: 'disconnected'; connection: number; reason: string }
  | { type: 'command'; connection: number; line: string }
  | { type: 'server-error'; connection: number; command: string; message: string }
  | { type: 'auth-failed'; message: string }
  | { type: 'online'; location: string }
  | { type: 'socket-error'; message: string }
  /** Something a person running the simulation should know about; nothing failed. */
  | { type: 'notice'; message: string }
  | { type: 'all-sent'; elapsedMs: number };

export interface ControllerStats {
  connectionId: string;
  connects: number;
  reconnects: number;
  /** Drops the simulator caused (dropEveryLines / dropProbability / ping or handshake timeout). */
  drops: number;
  linesSent: number;
  bytesSent: number;
  announcements: number;
  pingsSent: number;
  pingAcks: number;
  authError: string | null;
  /** Options of the latest server greeting. */
  negotiated: Record<string, string>;
  perLocation: Record<string, LocationStats>;
  /** Wall ms from start() until every observation had been sent once (or was held by the server); null if not (yet). */
  allSentAfterMs: number | null;
}

type Phase = 'greeting' | 'options' | 'auth' | 'ready' | 'closed';

interface Connection {
  n: number;
  socket: net.Socket;
  phase: Phase;
  optionsLeft: number;
  options: Record<string, string>;
  /** Set once the greeting's options are all in. */
  negotiated: Negotiated | null;
  idAsked: boolean;
  pendingAnnouncements: string[];
  /** Set once the options are in: lines are rendered in the negotiated formats. */
  schedule: EmissionSchedule | null;
  linesThisConnection: number;
  draining: boolean;
  pumpTimer: NodeJS.Timeout | null;
  pumpImmediate: NodeJS.Immediate | null;
  pingTimer: NodeJS.Timeout | null;
  handshakeTimer: NodeJS.Timeout | null;
  pingOutstandingSince: number | null;
  /** Set when the simulator itself ends the link, for the disconnected event. */
  closeReason: string | null;
}

/** Lines written in one tick before yielding, so incoming commands (stop, ping) get a turn. */
const LINES_PER_TICK = 16_384;

export class SimulatedController {
  readonly connectionId: string;
  readonly race: Race;
  /**
   * Resolves true once every observation was sent at least once or the server said it holds it
   * (`start~loc~seq` acknowledges 1..seq-1, e.g. a re-run against a collector that kept the
   * data), false if the controller stopped first.
   */
  readonly allSent: Promise<boolean>;

  private readonly opts: Required<Omit<ControllerOptions, 'user' | 'password' | 'onEvent' | 'connectionId' | 'race'>>;
  private readonly locations = new Map<string, LocationProgress>();
  /** Locations that came online after the first session was ready: announced again until started. */
  private readonly cameOnlineLate = new Set<string>();
  private readonly dice: Rng;
  private conn: Connection | null = null;
  private connections = 0;
  private startedAt = 0;
  private firstReadyAt: number | null = null;
  private closing = false;
  private finished = false;
  private resolveAllSent!: (v: boolean) => void;
  private timers = new Set<NodeJS.Timeout>();
  private closedPromise: Promise<void> | null = null;
  private s = {
    connects: 0, reconnects: 0, drops: 0, linesSent: 0, bytesSent: 0, announcements: 0,
    pingsSent: 0, pingAcks: 0, authError: null as string | null, allSentAfterMs: null as number | null,
    negotiated: {} as Record<string, string>,
  };

  constructor(private readonly options: ControllerOptions) {
    this.race = options.race;
    this.connectionId = options.connectionId ?? `SIM-${options.race.controllerId}`;
    if (/[~\r\n]/.test(this.connectionId)) throw new Error('connectionId must not contain ~ or line breaks');
    this.opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 61611,
      program: options.program ?? SIMULATOR_PROGRAM,
      version: options.version ?? SIMULATOR_VERSION,
      speed: options.speed ?? 1,
      onlineAfterMs: options.onlineAfterMs ?? {},
      pingIntervalMs: options.pingIntervalMs ?? 0,
      pingTimeoutMs: options.pingTimeoutMs ?? 10_000,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      dropEveryLines: options.dropEveryLines ?? 0,
      dropProbability: options.dropProbability ?? 0,
      dropMode: options.dropMode ?? 'graceful',
      maxDrops: options.maxDrops ?? Infinity,
      reconnect: options.reconnect ?? true,
      reconnectDelayMs: options.reconnectDelayMs ?? 1000,
      batchLines: options.batchLines ?? 2048,
      seed: options.seed ?? 1,
    };
    if (!(this.opts.speed > 0)) throw new Error('speed must be > 0 (Infinity for max)');
    for (const name of Object.keys(this.opts.onlineAfterMs)) {
      if (!this.race.locations.some((l) => l.name === name)) throw new Error(`onlineAfterMs names unknown location ${name}`);
    }
    this.dice = createRng(this.opts.seed ^ 0x5eed);
    for (const track of this.race.locations) this.locations.set(track.name, new LocationProgress(track));
    this.allSent = new Promise((resolve) => (this.resolveAllSent = resolve));
  }

  /** Starts the race clock and connects; reconnects on its own until close(). */
  start(): void {
    if (this.startedAt) throw new Error('controller already started');
    this.startedAt = performance.now();
    for (const loc of this.locations.values()) {
      const delay = this.opts.onlineAfterMs[loc.name] ?? 0;
      if (delay <= 0) this.markOnline(loc, false);
      else this.later(delay, () => this.markOnline(loc, true));
    }
    this.connect();
  }

  /** Every observation this controller holds, in location then sequence order. */
  observations(): SimObservation[] {
    return this.race.locations.flatMap((l) => l.observations);
  }

  /** Observations the current negotiation obliges us to send (guntime lines only with guntimes=true). */
  expectedObservations(): SimObservation[] {
    const guntimes = this.s.negotiated.guntimes === 'true';
    return this.observations().filter((o) => guntimes || o.tag !== 'guntime');
  }

  stats(): ControllerStats {
    const perLocation: Record<string, LocationStats> = {};
    for (const [name, loc] of this.locations) perLocation[name] = { ...loc.stats };
    return { connectionId: this.connectionId, ...this.s, negotiated: { ...this.s.negotiated }, perLocation };
  }

  /** Ms since start(); the race clock is this times speed. */
  elapsedMs(): number {
    return this.startedAt ? performance.now() - this.startedAt : 0;
  }

  /** Stops streaming, closes the link (FIN, then RST after a grace period) and stops reconnecting. */
  close(): Promise<void> {
    if (this.closedPromise) return this.closedPromise;
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.finish(false);
    const c = this.conn;
    this.closedPromise = new Promise<void>((resolve) => {
      if (!c || c.socket.destroyed) return resolve();
      this.stopConnectionTimers(c);
      c.phase = 'closed';
      c.closeReason = 'closed by simulator';
      const force = setTimeout(() => c.socket.destroy(), 500);
      c.socket.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      c.socket.end();
    });
    return this.closedPromise;
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private emit(event: ControllerEvent): void {
    this.options.onEvent?.(event);
  }

  private connect(): void {
    if (this.closing) return;
    const n = ++this.connections;
    const socket = net.connect({ host: this.opts.host, port: this.opts.port });
    socket.setNoDelay(true);
    const c: Connection = {
      n, socket, phase: 'greeting', optionsLeft: 0, options: {}, negotiated: null, idAsked: false,
      pendingAnnouncements: [], schedule: null, linesThisConnection: 0, draining: false,
      pumpTimer: null, pumpImmediate: null, pingTimer: null, handshakeTimer: null, pingOutstandingSince: null, closeReason: null,
    };
    this.conn = c;
    const splitter = new LineSplitter({
      line: (text) => this.onLine(c, text),
      overlong: () => this.emit({ type: 'socket-error', message: 'server sent an overlong line' }),
    }, 64 * 1024);
    socket.on('connect', () => {
      this.s.connects++;
      if (this.s.connects > 1) this.s.reconnects++;
      this.emit({ type: 'connected', connection: n });
      c.handshakeTimer = setTimeout(() => this.drop(c, 'handshake timeout'), this.opts.handshakeTimeoutMs);
      socket.write(clientGreeting(this.opts.program, this.opts.version));
    });
    socket.on('data', (chunk: Buffer) => splitter.push(chunk));
    socket.on('error', (e) => this.emit({ type: 'socket-error', message: e.message }));
    socket.on('close', () => this.onClose(c, c.closeReason ?? 'connection closed'));
  }

  private onClose(c: Connection, reason: string): void {
    this.stopConnectionTimers(c);
    c.phase = 'closed';
    this.emit({ type: 'disconnected', connection: c.n, reason });
    if (this.conn !== c) return;
    this.conn = null;
    if (this.closing || this.s.authError !== null) return;
    if (!this.opts.reconnect) {
      this.finish(false);
      return;
    }
    this.later(this.opts.reconnectDelayMs, () => this.connect());
  }

  private stopConnectionTimers(c: Connection): void {
    if (c.pumpTimer) clearTimeout(c.pumpTimer);
    if (c.pumpImmediate) clearImmediate(c.pumpImmediate);
    if (c.pingTimer) clearInterval(c.pingTimer);
    if (c.handshakeTimer) clearTimeout(c.handshakeTimer);
    c.handshakeTimer = null;
    c.pumpTimer = null;
    c.pumpImmediate = null;
    c.pingTimer = null;
  }

  /** Ends this connection on purpose (a simulated flaky link or a dead peer). */
  private drop(c: Connection, reason: string): void {
    if (c.phase === 'closed') return;
    this.s.drops++;
    this.stopConnectionTimers(c);
    c.phase = 'closed';
    c.closeReason = reason;
    if (this.opts.dropMode === 'abrupt') {
      c.socket.resetAndDestroy();
    } else {
      c.socket.end();
      // A server that never closes its side must not stall the reconnect.
      const t = setTimeout(() => c.socket.destroy(), 1000);
      c.socket.once('close', () => clearTimeout(t));
    }
  }

  private send(c: Connection, text: string): boolean {
    if (c.phase === 'closed' || c.socket.destroyed) return false;
    this.s.bytesSent += text.length;
    return c.socket.write(text);
  }

  private onLine(c: Connection, line: string): void {
    if (c.phase === 'closed') return;
    const msg = parseServerLine(line);
    switch (c.phase) {
      case 'greeting':
        if (msg.type !== 'greeting') {
          this.emit({ type: 'server-error', connection: c.n, command: 'greeting', message: `expected a greeting, got "${line}"` });
          return;
        }
        c.optionsLeft = msg.optionCount;
        c.phase = 'options';
        if (c.optionsLeft === 0) this.afterOptions(c);
        return;
      case 'options':
        if (msg.type === 'option') {
          c.options[msg.name] = msg.value;
          if (--c.optionsLeft === 0) this.afterOptions(c);
          return;
        }
        this.emit({ type: 'server-error', connection: c.n, command: 'greeting', message: `expected an option, got "${line}"` });
        return;
      default:
        break;
    }
    if (msg.type === 'ack') {
      if (msg.command === 'authorize' && c.phase === 'auth') this.ready(c);
      else if (msg.command === 'ping' && c.pingOutstandingSince !== null) {
        c.pingOutstandingSince = null;
        this.s.pingAcks++;
      }
      return;
    }
    if (msg.type === 'err') {
      if (msg.command === 'authorize') return this.authFailed(c, msg.message || 'rejected');
      this.emit({ type: 'server-error', connection: c.n, command: msg.command, message: msg.message });
      return;
    }
    // Out of context a three-field line ending in a number (an unknown `foo~bar~12`) parses as
    // a greeting and `a=b` as an option; once greeted, every such line is a command.
    if (msg.type === 'command' || msg.type === 'greeting' || msg.type === 'option') {
      const [name = '', ...args] = line.split('~');
      this.emit({ type: 'command', connection: c.n, line });
      this.onCommand(c, name, args);
      return;
    }
    this.emit({ type: 'server-error', connection: c.n, command: '?', message: `unparsable line "${line}"` });
  }

  private afterOptions(c: Connection): void {
    this.s.negotiated = { ...c.options };
    const n = negotiate(c.options);
    c.negotiated = n;
    c.schedule = new EmissionSchedule(this.race, n);

    const method = n.authentication as AuthMethod;
    if (method !== 'none' && this.options.user !== undefined && this.options.password !== undefined) {
      if (!AUTH_METHODS.includes(method)) return this.authFailed(c, `unsupported authentication ${method}`);
      c.phase = 'auth';
      const credential = authString(method, n.authenticationSeed, this.options.password);
      this.send(c, command('authorize', this.options.user, credential));
      return;
    }
    this.ready(c);
  }

  private authFailed(c: Connection, message: string): void {
    this.s.authError = message;
    this.emit({ type: 'auth-failed', message });
    this.finish(false);
    c.phase = 'closed';
    c.closeReason = `authentication failed: ${message}`;
    c.socket.end();
  }

  private ready(c: Connection): void {
    c.phase = 'ready';
    if (c.handshakeTimer) clearTimeout(c.handshakeTimer);
    c.handshakeTimer = null;
    this.firstReadyAt ??= this.elapsedMs();
    this.emit({ type: 'ready', connection: c.n, options: { ...c.options } });
    if (this.opts.pingIntervalMs > 0) {
      c.pingTimer = setInterval(() => this.ping(c), this.opts.pingIntervalMs);
    }
    if (c.negotiated!.newLocations) {
      // Locations that appeared after our first session and were never started would
      // otherwise stay invisible to a server that only resumes what it has stored.
      for (const loc of this.locations.values()) {
        if (loc.online && !loc.everStarted && this.cameOnlineLate.has(loc.name)) this.announce(c, loc.name);
      }
    }
  }

  private markOnline(loc: LocationProgress, late: boolean): void {
    loc.markOnline();
    if (late && this.firstReadyAt !== null) this.cameOnlineLate.add(loc.name);
    if (late) this.emit({ type: 'online', location: loc.name });
    const c = this.conn;
    if (late && c && c.phase === 'ready' && c.negotiated!.newLocations) this.announce(c, loc.name);
  }

  private announce(c: Connection, location: string): void {
    const n = c.negotiated!;
    if (n.holdAnnouncements && !c.idAsked) {
      if (!c.pendingAnnouncements.includes(location)) c.pendingAnnouncements.push(location);
      return;
    }
    this.s.announcements++;
    this.send(c, tagLine({
      format: n.tagFormat, sequence: 0, location, tag: 'newlocation',
      timeText: formatRaceTime(this.race.event, this.raceNowMs(), n.timeFormat),
      lap: 0, readerId: this.race.controllerId, gator: 0,
    }));
  }

  /** The race clock; at max speed it runs at wall speed so announcement times stay plausible. */
  private raceNowMs(): number {
    const speed = Number.isFinite(this.opts.speed) ? this.opts.speed : 1;
    return Math.floor(this.elapsedMs() * speed);
  }

  private ping(c: Connection): void {
    if (c.phase !== 'ready') return;
    if (c.pingOutstandingSince !== null) {
      if (performance.now() - c.pingOutstandingSince > this.opts.pingTimeoutMs) this.drop(c, 'ping timeout');
      return;
    }
    c.pingOutstandingSince = performance.now();
    this.s.pingsSent++;
    this.send(c, command('ping'));
  }

  private onCommand(c: Connection, name: string, args: string[]): void {
    switch (name) {
      case 'ping':
        this.send(c, ack('ping'));
        return;
      case 'getconnectionid':
        this.send(c, ack('getconnectionid', this.connectionId));
        c.idAsked = true;
        for (const loc of c.pendingAnnouncements.splice(0)) this.announce(c, loc);
        return;
      case 'geteventinfo': {
        const e = this.race.event;
        this.send(c, ack('geteventinfo', clean(e.name), clean(e.id), clean(e.description)));
        return;
      }
      case 'getlocations':
        this.send(c, ack('getlocations', ...this.onlineLocations().map((l) => l.name)));
        return;
      case 'start':
        return this.startCommand(c, args);
      case 'stop':
        return this.stopCommand(c, args);
      case 'getdata':
        return this.getData(c, args);
      default:
        this.send(c, err(name, 'unknown command'));
    }
  }

  private onlineLocations(): LocationProgress[] {
    return [...this.locations.values()].filter((l) => l.online);
  }

  private startCommand(c: Connection, args: string[]): void {
    const [location, seqText] = args;
    if (!location) {
      for (const loc of this.onlineLocations()) this.startStream(c, loc, 1);
      if (c.negotiated!.pushAck) this.send(c, ack('start'));
    } else {
      const loc = this.locations.get(location);
      if (!loc || !loc.online) return void this.send(c, err('start', `unknown location ${location}`));
      let from = 1;
      if (seqText !== undefined) {
        if (!/^\d{1,6}$/.test(seqText) || Number(seqText) < 1) return void this.send(c, err('start', `bad sequence ${seqText}`));
        from = Number(seqText);
      }
      this.startStream(c, loc, from);
      if (c.negotiated!.pushAck) this.send(c, ack('start', location));
    }
    this.pump(c);
  }

  private startStream(c: Connection, loc: LocationProgress, fromSeq: number): void {
    loc.started(fromSeq);
    if (fromSeq > loc.stats.observations + 1) {
      // The server holds more than this controller ever had: most likely another race under the same connection id.
      this.emit({
        type: 'notice',
        message: `server resumed ${loc.name} at ${fromSeq} but it has only ${loc.stats.observations} observations (connection id reused?)`,
      });
    }
    c.schedule!.start(loc, fromSeq);
  }

  private stopCommand(c: Connection, args: string[]): void {
    const [location] = args;
    if (!location) {
      c.schedule!.stop();
      if (c.negotiated!.pushAck) this.send(c, ack('stop'));
      return;
    }
    if (!this.locations.has(location)) return void this.send(c, err('stop', `unknown location ${location}`));
    c.schedule!.stop(location);
    if (c.negotiated!.pushAck) this.send(c, ack('stop', location));
  }

  /** Pull mode: `getdata~<max>[~<location>[~<seq>]]` answers with up to max due lines. */
  private getData(c: Connection, args: string[]): void {
    const [maxText, location, seqText] = args;
    if (!maxText || !/^\d{1,7}$/.test(maxText)) return void this.send(c, err('getdata', 'bad count'));
    if (seqText !== undefined && !/^\d{1,6}$/.test(seqText)) return void this.send(c, err('getdata', `bad sequence ${seqText}`));
    let targets = this.onlineLocations();
    if (location) {
      const loc = this.locations.get(location);
      if (!loc || !loc.online) return void this.send(c, err('getdata', `unknown location ${location}`));
      targets = [loc];
      if (seqText !== undefined) c.schedule!.seekPull(location, Number(seqText));
    }
    const out = c.schedule!.pull(targets, Number(maxText), this.dueLimit(), (loc, seq) => this.recordSent(loc, seq));
    this.send(c, ack('getdata', out.length) + out.join(''));
    this.checkAllSent(c);
  }

  /** Latest race ms that is due now. */
  private dueLimit(): number {
    return Number.isFinite(this.opts.speed) ? this.elapsedMs() * this.opts.speed : Infinity;
  }

  private recordSent(loc: LocationProgress, seq: number): void {
    this.s.linesSent++;
    loc.recordSent(seq);
  }

  /** Writes every due line of the started streams, in time order, in batches, honouring backpressure. */
  private pump(c: Connection): void {
    if (this.conn !== c || c.phase !== 'ready' || c.draining) return;
    if (c.pumpTimer) clearTimeout(c.pumpTimer);
    if (c.pumpImmediate) clearImmediate(c.pumpImmediate);
    c.pumpTimer = null;
    c.pumpImmediate = null;
    const limit = this.dueLimit();
    let batch: string[] = [];
    let writtenThisTick = 0;
    for (;;) {
      const s = c.schedule!.nextDue(limit);
      if (!s) break;
      const loc = s.loc;
      batch.push(s.render.line(loc.track.observations[s.next]!));
      this.recordSent(loc, s.next + 1);
      s.next++;
      c.linesThisConnection++;
      if (this.dropDue(c)) {
        this.send(c, batch.join(''));
        this.drop(c, 'simulated drop');
        this.checkAllSent(c);
        return;
      }
      if (batch.length >= this.opts.batchLines) {
        const ok = this.send(c, batch.join(''));
        writtenThisTick += batch.length;
        batch = [];
        if (!ok) return this.waitDrain(c);
        if (writtenThisTick >= LINES_PER_TICK) {
          c.pumpImmediate = setImmediate(() => this.pump(c));
          return;
        }
      }
    }
    if (batch.length > 0 && !this.send(c, batch.join(''))) return this.waitDrain(c);
    this.checkAllSent(c);
    this.scheduleNext(c);
  }

  private waitDrain(c: Connection): void {
    c.draining = true;
    c.socket.once('drain', () => {
      c.draining = false;
      this.pump(c);
    });
    this.checkAllSent(c);
  }

  private dropDue(c: Connection): boolean {
    if (this.s.drops >= this.opts.maxDrops) return false;
    if (this.opts.dropEveryLines > 0 && c.linesThisConnection >= this.opts.dropEveryLines) return true;
    return this.opts.dropProbability > 0 && this.dice.next() < this.opts.dropProbability;
  }

  /** At finite speed, wakes the pump when the earliest pending line falls due. */
  private scheduleNext(c: Connection): void {
    if (!Number.isFinite(this.opts.speed)) return;
    const earliest = c.schedule!.earliestPending();
    if (earliest === Infinity) return;
    const wait = Math.max(0, Math.ceil(earliest / this.opts.speed - this.elapsedMs()));
    c.pumpTimer = setTimeout(() => this.pump(c), wait);
  }

  private checkAllSent(c: Connection): void {
    if (this.s.allSentAfterMs !== null) return;
    for (const loc of this.locations.values()) if (!loc.complete(c.negotiated!.guntimes)) return;
    this.s.allSentAfterMs = this.elapsedMs();
    this.emit({ type: 'all-sent', elapsedMs: this.s.allSentAfterMs });
    this.finish(true);
  }

  private finish(allSent: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveAllSent(allSent);
  }
}

/** Keeps a free-text field to one CTP01 field. */
function clean(text: string): string {
  return text.replace(/[~\r\n]/g, ' ');
}
