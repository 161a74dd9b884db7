/**
 * One CTP01 client connection, as a small state machine:
 *
 *   greeting ──client greeting──▶ (auth) ──authorized / anonymous──▶ streaming
 *       └──────── a bare tag line (an operator testing with nc) ───────▶ streaming
 *
 * Entering streaming, the collector asks getconnectionid, geteventinfo and getlocations,
 * then starts each location from where its stream stopped (`start~loc~last+1`), and starts
 * locations announced later by `newlocation`. Bad lines are counted and skipped; they never
 * close a healthy connection.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { WrongSecretKeyError } from '../accounts/secret-box.js';
import {
  ack,
  command,
  err,
  LineSplitter,
  isValidLocation,
  parseClientLine,
  TimeKind,
  serverGreeting,
  verifyAuth,
  type AuthMethod,
  type TagObservation,
} from '../ctp01/index.js';
import type { Database, Queryable } from '../db/database.js';
import { asPlatform, withPartner } from '../db/tenant.js';
import type { Logger } from '../log.js';
import { touchSource } from '../accounts/timing-sources.repo.js';
import type { SourceIdentity } from '../accounts/timing-sources.service.js';
import {
  ensureLocations,
  knownLocations,
  openConnectionLog,
  updateConnectionLog,
  updateSessionEvent,
  type ConnectionLogUpdate,
} from './collector.repo.js';
import type { ResumeCursors } from './cursors.js';
import type { IngestPipeline } from './ingest.js';
import type { SessionResolver } from './sessions.js';
import type { AddressGuard } from './address-guard.js';
import type { LogLimiter } from './log-limiter.js';
import type { LocationBudget } from './location-budget.js';

export interface ConnectionSettings {
  program: string;
  version: string;
  auth: AuthMethod;
  allowAnonymous: boolean;
  anonymousPartnerId: number;
  /** How long to wait for authorize, getconnectionid and getlocations answers. */
  handshakeTimeoutMs: number;
  /** A connection not greeted (or streaming) and authorized by then is closed. */
  greetingTimeoutMs: number;
  /** Reads timed outside [now − past, now + future] are bad lines, not stored. */
  readWindowPastMs: number;
  readWindowFutureMs: number;
  maxLocationsPerConnection: number;
}

export type BadLineKind = 'invalid' | 'overlong' | 'unknown-command' | 'implausible-time' | 'location-cap';

export interface ConnectionDeps {
  settings: ConnectionSettings;
  db: Database;
  ingest: IngestPipeline;
  cursors: ResumeCursors;
  sessions: SessionResolver;
  /** Looks up CTP01 credentials; null when unknown or revoked. */
  findSource: (userId: string) => Promise<SourceIdentity | null>;
  /** A source's stored secret is sealed under another key than this process's SECRET_KEY. */
  onWrongSecretKey?: (userId: string) => void;
  log: Logger;
  /** Per-address limits: failed authorizations slow that address down. */
  guard: AddressGuard;
  /** Rate limits for log lines any stranger can trigger. */
  logLimiter: LogLimiter;
  /** Caps the distinct locations of a session across connections. */
  locationBudget: LocationBudget;
  onBadLine: (kind: BadLineKind) => void;
  onClose: (c: CollectorConnection) => void;
}

type State = 'greeting' | 'auth' | 'streaming' | 'closed';

/** How many bad lines per connection are logged in full before logging only every 1000th. */
const LOGGED_BAD_LINES = 5;

export class CollectorConnection {
  readonly id = randomUUID();
  readonly connectedAt = Date.now();
  state: State = 'greeting';
  lastActivity = Date.now();
  pingSentAt = 0;
  partnerId: number | null = null;
  sessionId: number | null = null;
  /** The CTP01 connection id, once the client told it. */
  clientConnectionId: string | null = null;
  clientName: string | null = null;
  clientVersion: string | null = null;
  authUser: string | null = null;
  messages = 0;
  reads = 0;
  badLines = 0;
  readonly locations = new Set<string>();
  /** Every location this connection streamed or announced (capped). */
  private readonly seenLocations = new Set<string>();

  private sourceKey: string;
  private readonly seed = randomBytes(16).toString('hex');
  private readonly splitter: LineSplitter;
  private readonly log: Logger;
  /** Lines that arrive while an asynchronous step (authorization) is pending. */
  private held: string[] | null = null;
  private handshake = { connectionId: false, locations: false, session: false, started: false };
  private announcedLocations: string[] | null = null;
  private readonly pendingNewLocations: string[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private closeReason = 'client closed';
  /** The connection_log row is written at the first complete line: port scans leave none. */
  private logOpened = false;
  private readPaused = false;
  readonly address: string;
  private bookkeeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.sourceKey = `conn:${this.id}`;
    this.address = socket.remoteAddress ?? 'unknown';
    this.log = deps.log.child({ conn: this.id, client: `${socket.remoteAddress}:${socket.remotePort}` });
    this.splitter = new LineSplitter({
      line: (l) => this.onLine(l),
      overlong: (bytes) => this.bad('overlong', `line of ${bytes}+ bytes`),
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    // Only complete lines count as activity (onLine): a byte every few seconds holds nothing.
    socket.on('data', (chunk: Buffer) => this.splitter.push(chunk));
    socket.on('error', (e) => {
      this.closeReason = `socket error: ${e.message}`;
    });
    socket.on('close', () => this.onClosed());
    this.log.debug('client connected');
    this.timers.push(
      setTimeout(() => {
        if (this.state === 'greeting' || (this.state === 'auth' && !this.held)) this.close('no greeting or authorization in time');
      }, deps.settings.greetingTimeoutMs),
    );
  }

  /** True once the client is identified (authorized or anonymous) and streaming. */
  get identified(): boolean {
    return this.state === 'streaming';
  }

  /**
   * Backpressure: stops (or resumes) reading this socket. The kernel's receive buffer fills,
   * TCP's window closes, and the client's writes wait: nothing is lost, memory stays bounded.
   */
  setReading(on: boolean): void {
    if (this.state === 'closed' || this.readPaused === !on) return;
    this.readPaused = !on;
    if (on) {
      // Its silence was ours: do not count it against the idle timeout.
      this.lastActivity = Date.now();
      this.socket.resume();
    } else {
      this.socket.pause();
    }
  }

  /** Sends a ping when the client has been quiet; closes it when it stays quiet (half-open). */
  checkIdle(now: number, idleMs: number): void {
    if (this.readPaused) return;
    const quiet = now - this.lastActivity;
    if (quiet > 2 * idleMs) {
      this.close('idle timeout: no data or ping answer');
    } else if (quiet > idleMs && this.pingSentAt <= this.lastActivity && this.state === 'streaming') {
      this.pingSentAt = now;
      this.send(command('ping'));
    }
  }

  /** Closes at once, without waiting for the client to read what is pending. */
  destroy(reason: string): void {
    if (this.state === 'closed') return;
    this.closeReason = reason;
    this.socket.destroy();
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.closeReason = reason;
    this.socket.end();
    // A client that never reads would keep a half-closed socket forever.
    this.timers.push(setTimeout(() => this.socket.destroy(), 2_000).unref());
  }

  private onLine(line: string): void {
    this.messages++;
    this.lastActivity = Date.now();
    if (!this.logOpened) {
      this.logOpened = true;
      const ok = this.deps.logLimiter.take('client connected');
      if (ok) this.log.info(ok.suppressed ? { suppressed: ok.suppressed } : {}, 'client connected');
      const clientPort = this.socket.remotePort ?? null;
      this.persist((tx) => openConnectionLog(tx, { id: this.id, clientIp: this.address, clientPort }));
    }
    if (this.held) {
      if (this.held.length < 1000) this.held.push(line);
      else this.bad('invalid', 'too many lines before authorization finished');
      return;
    }
    // Times are recognised by their shape, not the negotiated format: a client that ignores
    // time-format=iso must not have every read rejected.
    const msg = parseClientLine(line);
    switch (msg.type) {
      case 'tag':
      case 'guntime':
        return this.onObservation(msg, line);
      case 'newlocation':
        return this.onNewLocation(msg.location);
      case 'greeting':
        return this.onGreeting(msg.program, msg.version);
      case 'authorize':
        return void this.onAuthorize(msg.userId, msg.credential);
      case 'ack':
        return this.onAck(msg.command, msg.args);
      case 'err':
        return this.onClientError(msg.command, msg.message);
      case 'ping':
        return this.send(ack('ping'));
      case 'unknown':
        this.bad('unknown-command', line);
        return this.send(err(msg.command, 'unknown command'));
      case 'invalid':
        return this.bad('invalid', `${msg.reason}: ${line}`);
    }
  }

  private onGreeting(program: string, version: string): void {
    if (this.state !== 'greeting') return this.bad('invalid', 'greeting after the handshake');
    this.clientName = program;
    this.clientVersion = version;
    const { auth } = this.deps.settings;
    this.send(
      serverGreeting(this.deps.settings.program, this.deps.settings.version, {
        'stream-mode': 'push',
        location: 'multi',
        guntimes: true,
        newlocations: true,
        'connection-id': true,
        'pushmode-ack': true,
        'tagevent-format': 'CT01_33',
        'time-format': 'iso',
        authentication: auth,
        'authentication-seed': auth === 'none' || auth === 'plaintext' ? undefined : this.seed,
      }),
    );
    this.persist((tx) => updateConnectionLog(tx, this.id, { clientName: program, clientVersion: version }));
    if (auth === 'none') {
      this.identifyAnonymous();
      return;
    }
    this.state = 'auth';
    this.timers.push(
      setTimeout(() => {
        if (this.state !== 'auth' || this.held) return;
        // Never authorized: anonymous (the local partner), or refused as "authentication required".
        this.identifyAnonymous();
      }, this.deps.settings.handshakeTimeoutMs),
    );
  }

  private async onAuthorize(userId: string, credential: string): Promise<void> {
    if (this.state !== 'auth') return this.bad('invalid', 'authorize outside the handshake');
    const method = this.deps.settings.auth;
    if (method === 'none') return;
    this.held = [];
    // An address that failed too often waits before each further attempt is even checked.
    const delay = this.deps.guard.authDelay(this.address);
    if (delay > 0) {
      await new Promise((r) => this.timers.push(setTimeout(r, delay)));
      if ((this.state as State) === 'closed') return;
    }
    let source: SourceIdentity | null = null;
    try {
      source = await this.deps.findSource(userId);
    } catch (e) {
      if (e instanceof WrongSecretKeyError) {
        // Not a passing fault: retrying cannot help until the operator fixes SECRET_KEY.
        this.log.error({ user: userId }, e.message);
        this.deps.onWrongSecretKey?.(userId);
        return this.refuse('server cannot check credentials: its SECRET_KEY does not open this source, tell the operator');
      }
      this.log.error({ err: String(e) }, 'credential lookup failed');
      return this.refuse('authorization unavailable, retry later');
    }
    if (!source || !verifyAuth(method, this.seed, source.secret, credential)) {
      const failures = this.deps.guard.failed(this.address);
      const ok = this.deps.logLimiter.take('authorization refused');
      if (ok) this.log.warn({ user: userId.slice(0, 64), failuresFromAddress: failures, ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'authorization refused');
      return this.refuse('invalid credentials');
    }
    this.deps.guard.succeeded(this.address);
    this.authUser = userId;
    this.send(ack('authorize'));
    this.log.info({ user: userId, partner: source.partnerId }, 'client authorized');
    this.persist((tx) => updateConnectionLog(tx, this.id, { authUser: userId, partnerId: source.partnerId }));
    const { sourceId, partnerId } = source;
    this.persistFor(partnerId, (tx) => touchSource(tx, sourceId));
    this.beginStreaming(source.partnerId);
    const held = this.held;
    this.held = null;
    held.forEach((l) => this.onLine(l));
  }

  private refuse(reason: string): void {
    this.held = null;
    this.send(err('authorize', reason));
    this.close(`refused: ${reason}`);
  }

  private identifyAnonymous(): boolean {
    if (!this.deps.settings.allowAnonymous) {
      this.refuse('authentication required');
      return false;
    }
    this.persist((tx) => updateConnectionLog(tx, this.id, { partnerId: this.deps.settings.anonymousPartnerId }));
    this.beginStreaming(this.deps.settings.anonymousPartnerId);
    return true;
  }

  /** Enters streaming: asks who the client is and where it stands, then starts its locations. */
  private beginStreaming(partnerId: number): void {
    this.partnerId = partnerId;
    this.state = 'streaming';
    this.sessionId = this.deps.sessions.cached(partnerId);
    this.deps.sessions
      .active(partnerId)
      .then((s) => {
        this.sessionId = s.id;
        this.persist((tx) => updateConnectionLog(tx, this.id, { sessionId: s.id }));
      })
      .catch((e) => this.log.warn({ err: String(e) }, 'session unknown (database away); reads are routed when it returns'))
      .finally(() => this.handshakeStep('session'));
    if (this.clientName === null) return; // a bare nc client: no commands to answer them
    this.send(command('getconnectionid') + command('geteventinfo') + command('getlocations'));
    this.timers.push(
      setTimeout(() => {
        this.handshakeStep('connectionId');
        this.handshakeStep('locations');
      }, this.deps.settings.handshakeTimeoutMs),
    );
  }

  private handshakeStep(step: 'connectionId' | 'locations' | 'session'): void {
    this.handshake[step] = true;
    const h = this.handshake;
    if (h.started || !h.connectionId || !h.locations || !h.session || this.state !== 'streaming') return;
    h.started = true;
    void this.startKnownLocations();
  }

  private async startKnownLocations(): Promise<void> {
    let locations = this.announcedLocations;
    if (locations === null && this.sessionId !== null && this.partnerId !== null) {
      // No getlocations answer: resume what this stream sent before, if anything.
      const { sessionId, sourceKey } = this;
      locations = await withPartner(this.deps.db, this.partnerId, (tx) => knownLocations(tx, sessionId, sourceKey)).catch(() => []);
    }
    const resume = new Map<string, number>();
    if (locations !== null && this.partnerId !== null) {
      for (const loc of locations) resume.set(loc, await this.deps.cursors.last(this.partnerId, this.sessionId, this.sourceKey, loc));
    }
    if ([...resume.values()].every((last) => last === 0)) {
      // Nothing stored for any of its locations (or none known): a first connection. Simple
      // clients (racemap's, SimpleClient's quick mode) stream only after a bare `start`, which
      // here replays nothing because nothing was received.
      for (const loc of resume.keys()) this.markStarted(loc);
      this.send(command('start'));
      this.log.info({ locations: [...resume.keys()] }, 'all locations started');
    } else {
      for (const [loc, last] of resume) this.startFrom(loc, last);
    }
    for (const loc of this.pendingNewLocations.splice(0)) await this.startLocation(loc);
  }

  private async startLocation(location: string): Promise<void> {
    if (this.locations.has(location) || this.partnerId === null) return;
    if (!this.admitLocation(location)) return this.bad('location-cap', `location not started: ${location}`);
    this.locations.add(location);
    this.startFrom(location, await this.deps.cursors.last(this.partnerId, this.sessionId, this.sourceKey, location));
  }

  /** Sends `start~loc` or `start~loc~last+1` (resume) for one location. */
  private startFrom(location: string, last: number): void {
    this.send(last > 0 ? command('start', location, last + 1) : command('start', location));
    this.log.info({ location, resumeFrom: last + 1 }, 'location started');
    this.markStarted(location);
  }

  private markStarted(location: string): void {
    this.locations.add(location);
    const sessionId = this.sessionId;
    if (sessionId !== null && this.partnerId !== null) {
      const partnerId = this.partnerId;
      this.persistFor(partnerId, (tx) => ensureLocations(tx, [{ partnerId, sessionId, location }]));
    }
    this.persist((tx) => updateConnectionLog(tx, this.id, { locations: [...this.locations] }));
  }

  private onNewLocation(location: string): void {
    if (this.state !== 'streaming') return this.bad('invalid', 'newlocation before the handshake');
    if (this.handshake.started) void this.startLocation(location);
    else this.pendingNewLocations.push(location);
  }

  private onObservation(o: TagObservation & { type: 'tag' | 'guntime' }, line: string): void {
    if (this.state === 'greeting' || this.state === 'auth') {
      // A line with no greeting (nc) or a client that skipped authorization.
      if (!this.identifyAnonymous()) return;
    }
    if (this.partnerId === null) return;
    if (!this.plausible(o.time.kind, o.time.ms)) return this.bad('implausible-time', line);
    if (!this.admitLocation(o.location)) return this.bad('location-cap', line);
    this.reads++;
    this.deps.ingest.submit({
      partnerId: this.partnerId,
      sessionId: this.sessionId,
      sourceKey: this.sourceKey,
      connectionLogId: this.id,
      sequence: o.sequence,
      location: o.location,
      tag: o.tag,
      kind: o.type === 'guntime' ? 'gun' : 'tag',
      timeKind: o.time.kind,
      timeMs: o.time.ms,
      timeText: o.timeText,
      lap: o.lap,
      readerId: o.readerId,
      gator: o.gator,
      rawLine: line,
      receivedAt: Date.now(),
    });
    if (this.deps.ingest.paused && !this.readPaused) this.setReading(false);
  }

  /**
   * Whether a read's time lies in the window around now (the current session). Local date-times
   * are compared with 14 h of slack, the widest zone offset; times of day are bounded by their
   * format (at most 999 h after the event date).
   */
  private plausible(kind: TimeKind, ms: number): boolean {
    if (kind === TimeKind.TimeOfDay) return true;
    const slack = kind === TimeKind.LocalDateTime ? 14 * 3_600_000 : 0;
    const now = Date.now();
    return ms >= now - this.deps.settings.readWindowPastMs - slack && ms <= now + this.deps.settings.readWindowFutureMs + slack;
  }

  /** Counts a location against this connection's and its session's caps. */
  private admitLocation(location: string): boolean {
    if (this.seenLocations.has(location)) return true;
    if (this.seenLocations.size >= this.deps.settings.maxLocationsPerConnection) return false;
    if (this.partnerId !== null && !this.deps.locationBudget.admit(this.partnerId, this.sessionId, location)) return false;
    this.seenLocations.add(location);
    return true;
  }

  private onAck(cmd: string, args: string[]): void {
    switch (cmd) {
      case 'getconnectionid':
        if (args[0] && !this.handshake.connectionId) {
          this.clientConnectionId = args[0];
          this.sourceKey = `cid:${args[0]}`;
          this.persist((tx) => updateConnectionLog(tx, this.id, { connectionId: args[0] }));
        }
        return this.handshakeStep('connectionId');
      case 'getlocations':
        if (!this.handshake.locations) {
          const valid = args.filter((l) => isValidLocation(l));
          if (valid.length < args.filter((l) => l.length > 0).length) this.bad('invalid', `unprintable or forbidden location names in getlocations`);
          this.announcedLocations = valid.filter((l) => this.admitLocation(l));
          if (this.announcedLocations.length < valid.length) this.bad('location-cap', `${valid.length - this.announcedLocations.length} announced locations over the cap`);
        }
        return this.handshakeStep('locations');
      case 'geteventinfo':
        return this.onEventInfo(args);
      default:
        return; // ack~ping, ack~start, ack~stop: the activity timestamp is all that matters
    }
  }

  private onEventInfo([name = '', eventId = '', description = '']: string[]): void {
    const update: ConnectionLogUpdate = { eventName: name, eventId, eventDescription: description };
    this.persist((tx) => updateConnectionLog(tx, this.id, update));
    const { sessionId, partnerId } = this;
    if (sessionId !== null && partnerId !== null) {
      this.persistFor(partnerId, (tx) => updateSessionEvent(tx, sessionId, { name, id: eventId, description }));
    }
  }

  private onClientError(cmd: string, message: string): void {
    this.log.warn({ command: cmd, message }, 'client reported an error');
    if (cmd === 'getconnectionid') this.handshakeStep('connectionId');
    if (cmd === 'getlocations') this.handshakeStep('locations');
  }

  private bad(kind: BadLineKind, detail: string): void {
    this.badLines++;
    this.deps.onBadLine(kind);
    if (this.badLines <= LOGGED_BAD_LINES || this.badLines % 1000 === 0) {
      const ok = this.deps.logLimiter.take('bad line skipped');
      if (ok) this.log.warn({ kind, detail: detail.slice(0, 200), badLines: this.badLines, ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'bad line skipped');
    }
  }

  private send(text: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(text);
  }

  /**
   * Bookkeeping writes are best effort (a database hiccup must not touch the read path) and
   * chained, so the connection_log insert lands before its updates. connection_log is the
   * platform's (a row exists before its client is identified); partner data is written
   * under the partner.
   */
  private persist(write: (tx: Queryable) => Promise<unknown>): void {
    this.chain(() => asPlatform(this.deps.db, write));
  }

  private persistFor(partnerId: number, write: (tx: Queryable) => Promise<unknown>): void {
    this.chain(() => withPartner(this.deps.db, partnerId, write));
  }

  private chain(step: () => Promise<unknown>): void {
    this.bookkeeping = this.bookkeeping
      .then(step)
      .then(
        () => undefined,
        (e) => this.log.debug({ err: String(e) }, 'connection bookkeeping write failed'),
      );
  }

  private onClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.timers.forEach(clearTimeout);
    this.deps.onClose(this);
    if (!this.logOpened) {
      // Never sent a complete line: a scan or a stranger. No connection_log row, a limited log line.
      const ok = this.deps.logLimiter.take('silent connection closed');
      if (ok) this.log.info({ reason: this.closeReason, ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'silent connection closed');
      return;
    }
    const ok = this.partnerId !== null ? { suppressed: 0 } : this.deps.logLimiter.take('client disconnected');
    if (ok) this.log.info({ reason: this.closeReason, reads: this.reads, badLines: this.badLines, ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'client disconnected');
    this.persist((tx) =>
      updateConnectionLog(tx, this.id, {
        disconnected: true,
        disconnectReason: this.closeReason,
        messageCount: this.messages,
        readCount: this.reads,
        badLineCount: this.badLines,
      }),
    );
  }
}
