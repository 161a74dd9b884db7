/**
 * The collector service: a CTP01 TCP server (default port 61611) feeding the ingest
 * pipeline, plus its status HTTP API (61612). Independent of the web process: it needs only
 * the database, and keeps accepting reads (spooling them) while the database is away.
 */
import { withTimeout } from '../http/timeout.js';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { asPlatform } from '../db/tenant.js';
import { version } from '../version.js';
import { readsTopic, type Bus } from '../bus/bus.js';
import { closeDanglingConnections } from './collector.repo.js';
import type { LiveRead } from '../bus/live-read.js';
import { toLiveRead } from './live-read.js';
import { AuthCache } from './auth-cache.js';
import { CollectorConnection } from './connection.js';
import { ResumeCursors } from './cursors.js';
import { IngestPipeline } from './ingest.js';
import { createCollectorMetrics, type CollectorMetrics } from './metrics.js';
import { RateMeter } from './rate-meter.js';
import { SessionResolver } from './sessions.js';
import { Spool } from './spool.js';
import { AddressGuard } from './address-guard.js';
import { LogLimiter } from './log-limiter.js';
import { LocationBudget } from './location-budget.js';
import { startStatusServer, type StatusSnapshot } from './status.js';

/** The built-in partner that anonymous connections belong to (see migration 0001). */
export const LOCAL_PARTNER_ID = 1;

export interface CollectorHandle {
  tcpPort: number;
  statusPort: number;
  ingest: IngestPipeline;
  connections: ReadonlySet<CollectorConnection>;
  metrics: CollectorMetrics;
  /** Stops accepting, closes clients, spools whatever is not yet stored. */
  close(): Promise<void>;
}

export interface CollectorDeps {
  db: Database;
  config: Config;
  log: Logger;
  /** Where stored reads are published for live displays (optional: tests, benchmarks). */
  bus?: Bus;
  /**
   * Resolves once migrations are known to be current (see Runtime.schemaReady). Until then
   * reads go to the spool, which drains when it resolves.
   */
  schemaReady?: Promise<void>;
}

export async function startCollector({ db, config, log: rootLog, bus, schemaReady }: CollectorDeps): Promise<CollectorHandle> {
  const log = rootLog.child({ component: 'collector' });
  const spool = new Spool(path.join(config.dataDir, 'spool'));
  await spool.open();
  const sessions = new SessionResolver(db, config.SESSION_NAME_FORMAT, config.EVENT_TIMEZONE);
  const cursors = new ResumeCursors(db);
  const connections = new Set<CollectorConnection>();
  const ingest = new IngestPipeline(db, sessions, cursors, spool, log, {
    rejectDir: config.dataDir,
    batchSize: db.kind === 'pglite' ? 2000 : 5000,
    writers: db.kind === 'pglite' ? 1 : 2,
    ...(schemaReady ? { ready: schemaReady } : {}),
    // Stored reads waiting for the live bus count against the same memory budget.
    ...(bus?.pending ? { downstreamBacklog: () => bus.pending!() } : {}),
  });
  if (bus) publishStoredReads(ingest, bus, log);
  // Backpressure: while the writer or the spool is behind, stop reading the clients' sockets.
  ingest.on('pressure', (paused) => {
    for (const c of connections) c.setReading(!paused);
  });
  await ingest.start();
  const tidy = () => asPlatform(db, closeDanglingConnections).catch((e) => log.warn({ err: String(e) }, 'could not tidy connection_log'));
  if (schemaReady) void schemaReady.then(tidy);
  else await tidy();

  const box = new SecretBox(await loadSecretKey(config.secretKey, config.dataDir));
  const sources = new TimingSources(db, box);
  const authCache = await AuthCache.open(config.dataDir, box, log);
  const findSource = (userId: string) => authCache.lookup(userId, (u) => sources.lookup(u));

  // The last source whose secret this process's key could not open: shown in /status.
  let wrongSecretKey: StatusSnapshot['wrongSecretKey'] = null;

  const metrics = createCollectorMetrics();
  const settings = {
    program: 'Project88Hub',
    version,
    auth: config.COLLECTOR_AUTH,
    allowAnonymous: config.COLLECTOR_ALLOW_ANONYMOUS,
    anonymousPartnerId: LOCAL_PARTNER_ID,
    handshakeTimeoutMs: Math.min(5_000, config.COLLECTOR_HANDSHAKE_SECONDS * 500),
    greetingTimeoutMs: config.COLLECTOR_HANDSHAKE_SECONDS * 1000,
    readWindowPastMs: config.COLLECTOR_READ_WINDOW_DAYS * 86_400_000,
    readWindowFutureMs: 86_400_000,
    maxLocationsPerConnection: config.COLLECTOR_MAX_LOCATIONS_PER_CONNECTION,
  };
  const locationBudget = new LocationBudget(config.COLLECTOR_MAX_LOCATIONS_PER_SESSION);
  const maxConnections = config.COLLECTOR_MAX_CONNECTIONS;
  const guard = new AddressGuard({
    maxPerAddress: config.COLLECTOR_MAX_CONNECTIONS_PER_ADDRESS,
    failuresBeforeBackoff: config.COLLECTOR_AUTH_FAILURES_BEFORE_BACKOFF,
  });
  const logLimiter = new LogLimiter();
  /** Connections refused or evicted for want of a slot (for /status). */
  const refused = { perAddress: 0, full: 0, evicted: 0 };

  const server = net.createServer((socket) => {
    metrics.connectionsTotal.inc();
    const ip = socket.remoteAddress ?? 'unknown';
    if (!guard.admit(ip)) {
      refused.perAddress++;
      const ok = logLimiter.take('connection refused');
      if (ok) log.warn({ ip, reason: 'per-address limit', ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'connection refused');
      socket.destroy();
      return;
    }
    if (connections.size >= maxConnections) {
      // Full: the oldest connection that has not identified itself makes room, so strangers
      // can never lock out a timing source; if every slot is a streaming source, refuse.
      let oldest: CollectorConnection | null = null;
      for (const c of connections) {
        if (!c.identified && (!oldest || c.connectedAt < oldest.connectedAt)) oldest = c;
      }
      if (oldest) {
        refused.evicted++;
        connections.delete(oldest);
        oldest.destroy('evicted: collector full, not yet authorized');
      } else {
        refused.full++;
        guard.release(ip);
        const ok = logLimiter.take('connection refused');
        if (ok) log.warn({ ip, reason: 'collector full', ...(ok.suppressed ? { suppressed: ok.suppressed } : {}) }, 'connection refused');
        socket.destroy();
        return;
      }
    }
    const conn = new CollectorConnection(socket, {
      settings,
      db,
      ingest,
      cursors,
      sessions,
      findSource,
      onWrongSecretKey: (userId) => (wrongSecretKey = { user_id: userId, at: new Date().toISOString() }),
      log,
      guard,
      logLimiter,
      locationBudget,
      onBadLine: (kind) => metrics.badLines.inc({ kind }),
      onClose: (c) => {
        connections.delete(c);
        guard.release(c.address);
      },
    });
    connections.add(conn);
  });
  // Limits are ours (above): Node's maxConnections would drop a timing source's connection
  // while strangers hold the slots.
  server.on('error', (e) => log.error({ err: String(e) }, 'collector listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.COLLECTOR_PORT, config.COLLECTOR_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const tcpPort = (server.address() as net.AddressInfo).port;
  log.info({ port: tcpPort, auth: config.COLLECTOR_AUTH, anonymous: config.COLLECTOR_ALLOW_ANONYMOUS }, 'CTP01 collector listening');

  const idleMs = config.COLLECTOR_IDLE_SECONDS * 1000;
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const c of connections) c.checkIdle(now, idleMs);
  }, Math.min(1000, idleMs / 4));
  sweep.unref();

  const rate = new RateMeter();
  const status = await startStatusServer({
    host: config.COLLECTOR_HOST,
    port: config.COLLECTOR_STATUS_PORT,
    log,
    metrics,
    snapshot: () => ({
      listening: server.listening,
      tcpPort,
      connections: connections.size,
      maxConnections,
      refused: { ...refused },
      totalReads: ingest.stats.stored,
      currentSession: sessions.cached(LOCAL_PARTNER_ID),
      ingest,
      spool,
      readsPerSecond: rate.rate(ingest.stats.stored),
      wrongSecretKey,
    }),
    pingDatabase: () => withTimeout(db.query('SELECT 1'), 2_000, 'database ping').then(() => true, () => false),
  });
  const rateSampler = setInterval(() => rate.sample(ingest.stats.stored), 1000);
  rateSampler.unref();

  return {
    tcpPort,
    statusPort: status.port,
    ingest,
    connections,
    metrics,
    async close() {
      clearInterval(sweep);
      clearInterval(rateSampler);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const c of connections) c.close('collector shutting down');
        setTimeout(() => {
          for (const c of connections) c.close('collector shutting down');
          resolve();
        }, 3_000).unref();
      });
      await status.close();
      await ingest.close();
      await spool.close();
      log.info('collector stopped');
    },
  };
}

/**
 * Stored reads go to each partner's topic once committed, so a display never shows a read
 * the database does not have. Publishing is best effort: a bus failure never touches ingest.
 */
function publishStoredReads(ingest: IngestPipeline, bus: Bus, log: Logger): void {
  ingest.on('stored', (reads) => {
    const byPartner = new Map<number, LiveRead[]>();
    for (const r of reads) {
      const partnerId = r.record.partnerId;
      const list = byPartner.get(partnerId) ?? [];
      list.push(toLiveRead(r));
      byPartner.set(partnerId, list);
    }
    for (const [partnerId, list] of byPartner) {
      bus.publish(readsTopic(partnerId), list).catch((err: unknown) => log.warn({ err: String(err) }, 'could not publish live reads'));
    }
  });
}
