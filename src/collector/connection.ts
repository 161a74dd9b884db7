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
  parseClientLine,
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

export interface ConnectionSettings {
  program: string;
  version: string;
  auth: AuthMethod;
  allowAnonymous: boolean;
  anonymousPartnerId: number;
  /** How long to wait for authorize, getconnectionid and getlocations answers. */
  handshakeTimeoutMs: number;
}

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
  onBadLine: (kind: 'invalid' | 'overlong' | 'unknown-command') => void;
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
  private bookkeeping: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly deps: ConnectionDeps,
  ) {
    this.sourceKey = `conn:${this.id}`;
    this.log = deps.log.child({ conn: this.id, client: `${socket.remoteAddress}:${socket.remotePort}` });
    this.splitter = new LineSplitter({
      line: (l) => this.onLine(l),
      overlong: (bytes) => this.bad('overlong', `line of ${bytes}+ bytes`),
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 15_000);
    socket.on('data', (chunk: Buffer) => {
      this.lastActivity = Date.now();
      this.splitter.push(chunk);
    });
    socket.on('error', (e) => {
      this.closeReason = `socket error: ${e.message}`;
    });
    socket.on('close', () => this.onClosed());
    this.log.info('client connected');
    this.persist((tx) => openConnectionLog(tx, { id: this.id, clientIp: socket.remoteAddress ?? 'unknown', clientPort: socket.remotePort ?? null }));
  }

  /** Sends a ping when the client has been quiet; closes it when it stays quiet (half-open). */
  checkIdle(now: number, idleMs: number): void {
    const quiet = now - this.lastActivity;
    if (quiet > 2 * idleMs) {
      this.close('idle timeout: no data or ping answer');
    } else if (quiet > idleMs && this.pingSentAt <= this.lastActivity && this.state === 'streaming') {
      this.pingSentAt = now;
      this.send(command('ping'));
    }
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
      this.log.warn({ user: userId }, 'authorization refused');
      return this.refuse('invalid credentials');
    }
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
    if (locations === null || (locations.length === 0 && this.announcedLocations === null)) {
      // Nothing known about this client's locations: a bare start is the only way to get data.
      this.send(command('start'));
    } else {
      for (const loc of locations) await this.startLocation(loc);
    }
    for (const loc of this.pendingNewLocations.splice(0)) await this.startLocation(loc);
  }

  private async startLocation(location: string): Promise<void> {
    if (this.locations.has(location) || this.partnerId === null) return;
    this.locations.add(location);
    const last = await this.deps.cursors.last(this.partnerId, this.sessionId, this.sourceKey, location);
    this.send(last > 0 ? command('start', location, last + 1) : command('start', location));
    this.log.info({ location, resumeFrom: last + 1 }, 'location started');
    const sessionId = this.sessionId;
    if (sessionId !== null) {
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
        if (!this.handshake.locations) this.announcedLocations = args.filter((l) => l.length > 0);
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

  private bad(kind: 'invalid' | 'overlong' | 'unknown-command', detail: string): void {
    this.badLines++;
    this.deps.onBadLine(kind);
    if (this.badLines <= LOGGED_BAD_LINES || this.badLines % 1000 === 0) {
      this.log.warn({ kind, detail: detail.slice(0, 200), badLines: this.badLines }, 'bad line skipped');
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
    this.log.info({ reason: this.closeReason, reads: this.reads, badLines: this.badLines }, 'client disconnected');
    this.persist((tx) =>
      updateConnectionLog(tx, this.id, {
        disconnected: true,
        disconnectReason: this.closeReason,
        messageCount: this.messages,
        readCount: this.reads,
        badLineCount: this.badLines,
      }),
    );
    this.deps.onClose(this);
  }
}
