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
import { TimingSources, type SourceIdentity } from '../accounts/timing-sources.service.js';
import { asPlatform } from '../db/tenant.js';
import { version } from '../version.js';
import { readsTopic, type Bus } from '../bus/bus.js';
import { closeDanglingConnections } from './collector.repo.js';
import type { LiveRead } from '../bus/live-read.js';
import { toLiveRead } from './live-read.js';
import { CollectorConnection } from './connection.js';
import { ResumeCursors } from './cursors.js';
import { IngestPipeline } from './ingest.js';
import { createCollectorMetrics, type CollectorMetrics } from './metrics.js';
import { RateMeter } from './rate.js';
import { SessionResolver } from './sessions.js';
import { Spool } from './spool.js';
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
}

export async function startCollector({ db, config, log: rootLog, bus }: CollectorDeps): Promise<CollectorHandle> {
  const log = rootLog.child({ component: 'collector' });
  const spool = new Spool(path.join(config.dataDir, 'spool'));
  await spool.open();
  const sessions = new SessionResolver(db, config.SESSION_NAME_FORMAT, config.EVENT_TIMEZONE);
  const cursors = new ResumeCursors(db);
  const ingest = new IngestPipeline(db, sessions, cursors, spool, log, {
    rejectDir: config.dataDir,
    batchSize: db.kind === 'pglite' ? 2000 : 5000,
    writers: db.kind === 'pglite' ? 1 : 2,
  });
  if (bus) publishStoredReads(ingest, bus, log);
  await ingest.start();
  await asPlatform(db, closeDanglingConnections).catch((e) => log.warn({ err: String(e) }, 'could not tidy connection_log'));

  const sources = new TimingSources(db, new SecretBox(await loadSecretKey(config.secretKey, config.dataDir)));
  const findSource = cachedLookup((userId) => sources.lookup(userId));

  // The last source whose secret this process's key could not open: shown in /status.
  let wrongSecretKey: StatusSnapshot['wrongSecretKey'] = null;

  const metrics = createCollectorMetrics();
  const connections = new Set<CollectorConnection>();
  const settings = {
    program: 'Project88Hub',
    version,
    auth: config.COLLECTOR_AUTH,
    allowAnonymous: config.COLLECTOR_ALLOW_ANONYMOUS,
    anonymousPartnerId: LOCAL_PARTNER_ID,
    handshakeTimeoutMs: 5_000,
  };

  const server = net.createServer((socket) => {
    metrics.connectionsTotal.inc();
    const conn = new CollectorConnection(socket, {
      settings,
      db,
      ingest,
      cursors,
      sessions,
      findSource,
      onWrongSecretKey: (userId) => (wrongSecretKey = { user_id: userId, at: new Date().toISOString() }),
      log,
      onBadLine: (kind) => metrics.badLines.inc({ kind }),
      onClose: (c) => connections.delete(c),
    });
    connections.add(conn);
  });
  server.maxConnections = 2_000;
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
      const list = byPartner.get(r.partnerId) ?? [];
      list.push(toLiveRead(r));
      byPartner.set(r.partnerId, list);
    }
    for (const [partnerId, list] of byPartner) {
      bus.publish(readsTopic(partnerId), list).catch((err: unknown) => log.warn({ err: String(err) }, 'could not publish live reads'));
    }
  });
}

/**
 * Credential lookups that survive a database outage: a source that authenticated before is
 * still recognised while the database is away, so its reads keep arriving (and spooling).
 */
function cachedLookup(lookup: (userId: string) => Promise<SourceIdentity | null>) {
  const known = new Map<string, SourceIdentity>();
  return async (userId: string): Promise<SourceIdentity | null> => {
    try {
      const found = await lookup(userId);
      if (found) known.set(userId, found);
      else known.delete(userId);
      return found;
    } catch (err) {
      const cached = known.get(userId);
      if (cached) return cached;
      throw err;
    }
  };
}
