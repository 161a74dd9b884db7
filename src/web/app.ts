/**
 * Assembles the web process's HTTP app: request ids, body limit, error handling, OpenAPI at
 * /docs, health, and the domain routes. It does not listen; the caller does (see p88 web).
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from 'helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';
import { registerAccounts } from '../accounts/accounts.routes.js';
import { billingRoutes } from '../accounts/billing.routes.js';
import { smtpMailer } from '../accounts/mailer.js';
import { SecretBox, loadSecretKey } from '../accounts/secret-box.js';
import { timingSourceRoutes } from '../accounts/timing-sources.routes.js';
import { TimingSources } from '../accounts/timing-sources.service.js';
import { Usage } from '../accounts/usage.service.js';
import { ApiCallMeter } from '../accounts/api-call-meter.js';
import type { Bus } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import { assetRoutes } from '../templates/assets.routes.js';
import { Assets } from '../templates/assets.service.js';
import { displayLinkRoutes } from '../display/display-links.routes.js';
import { DisplayLinks } from '../display/display-links.service.js';
import { displayRoutes } from '../display/display.routes.js';
import type { DisplayFeeds } from '../display/display-stream.js';
import type { ReplayGate } from '../display/replay-gate.js';
import { APP_ROLE } from '../db/tenant.js';
import { fetchStylesRoutes } from '../templates/fetch-styles.routes.js';
import type { SafeFetchPolicy } from '../http/safe-fetch.js';
import { rosterRoutes } from '../rosters/roster.routes.js';
import { Rosters } from '../rosters/roster.service.js';
import { askRoutes } from '../ask/ask.routes.js';
import { Ask } from '../ask/ask.service.js';
import { restRoutes } from '../rest/rest.routes.js';
import { RestApi } from '../rest/rest.service.js';
import { resultsRoutes } from '../results/results.routes.js';
import { baseUrlsOf } from '../providers/index.js';
import { ProviderConnections } from '../sync/provider-connections.service.js';
import { providerRoutes } from '../sync/providers.routes.js';
import { SyncSchedules } from '../sync/sync-schedules.service.js';
import { syncRoutes } from '../sync/sync.routes.js';
import { Results } from '../results/results.service.js';
import { ScreenPresence, ScreenReportRelay } from '../display/screens.js';
import { RosterImports } from '../sync/roster-imports.js';
import { templateRoutes } from '../templates/templates.routes.js';
import { Templates } from '../templates/templates.service.js';
import { timingRoutes } from '../timing/timing.routes.js';
import { TimingService } from '../timing/timing.service.js';
import { version } from '../version.js';
import { openApiSecuritySchemes } from '../accounts/auth.js';
import { errorBody, installErrorHandling } from '../http/error-handler.js';
import { installNulGuard } from '../http/nul-guard.js';
import { healthRoutes } from './health.routes.js';
import { installWebMetrics } from './web-metrics.js';
import { spaPlugin } from './spa.js';

export interface WebDeps {
  db: Database;
  logger: Logger;
  config: Config;
  /** Live events from the collector; in memory when not given (a web process on its own). */
  bus?: Bus;
  /** Display stream heartbeat (tests shorten it). */
  heartbeatMs?: number;
  /**
   * The pool anonymous display routes use. Default: on a server, a pool of its own
   * (DATABASE_PUBLIC_POOL_SIZE connections, PUBLIC_STATEMENT_TIMEOUT_MS per statement), closed
   * with the app; on PGlite, db itself.
   */
  publicDb?: Database;
  /**
   * The pool the read-only routes use (read API, questions engine, timing reads). Default: on
   * a server with DATABASE_READ_URL set, a pool of the application role on that URL, closed
   * with the app; otherwise db itself.
   */
  readDb?: Database;
  /** Tests, bench: the display routes' replay gate and feeds. */
  replayGate?: ReplayGate;
  onDisplayFeeds?: (feeds: DisplayFeeds) => void;
  /** How often API-call counts are written (default 5 s; tests use 0: only on close or flush()). */
  apiCallFlushMs?: number;
  /** Tests only: widens the fetch-styles address policy to a fake site; production keeps the strict default. */
  fetchStylesPolicy?: SafeFetchPolicy;
}

export const BODY_LIMIT_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyInstance {
    /** Plan limits and usage counters (see accounts/usage.service.ts). */
    usage: Usage;
    /** The daily API-call count of token calls, batched in memory (accounts/api-call-meter.ts). */
    apiCalls: ApiCallMeter;
  }
}

/**
 * Security headers on every response (CSP for our own SPA and the /docs UI: scripts only from
 * this origin, no framing, no plugins) and CORS that lets no other origin in unless
 * CORS_ORIGINS names it: the SPA is served from the same origin as the API.
 *
 * `upgrade-insecure-requests` only when the request came over https (directly, or through a
 * trusted proxy's X-Forwarded-Proto) or PUBLIC_URL is https: at a venue, TVs and tablets reach
 * the laptop by its address over plain http, and an upgrade there makes every asset fail.
 * Cross-Origin-Opener-Policy likewise: browsers ignore it on an untrustworthy (http, non-localhost)
 * origin and say so on the console of every screen.
 */
async function registerSecurity(app: FastifyInstance, config: Config): Promise<void> {
  const publicHttps = config.PUBLIC_URL?.startsWith('https:') ?? false;
  // helmet's middleware, made once: @fastify/helmet built a new one (CSP directives parsed
  // again) for every request, a per-request cost the read API's figures showed.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI and React set style attributes; no script can ride on them.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // Fonts only from here or inline: a template's @font-face must not fetch from outside.
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginOpenerPolicy: false,
    // HSTS only matters over TLS, which the reverse proxy terminates; it sends its own.
    hsts: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err instanceof Error ? err : undefined));
  });
  app.addHook('onSend', async (request, reply) => {
    if (!publicHttps && request.protocol !== 'https') return;
    reply.header('cross-origin-opener-policy', 'same-origin');
    const csp = reply.getHeader('content-security-policy');
    if (typeof csp === 'string' && !csp.includes('upgrade-insecure-requests')) {
      reply.header('content-security-policy', `${csp};upgrade-insecure-requests`);
    }
  });
  await app.register(cors, {
    origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false,
    credentials: true,
  });
}

export async function buildWebApp(deps: WebDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as Fastify's base logger so the app is a plain FastifyInstance that every plugin
    // type accepts; at run time it is the pino logger itself.
    loggerInstance: deps.logger as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    // Same key as request_id in error bodies, so a reported id greps straight to its log lines.
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.config.TRUST_PROXY,
    // Errors raised before routing (an undecodable URL) skip the error handler; same body here.
    frameworkErrors: (_error, request, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id).status(400).send(errorBody('bad_request', request.id));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  installNulGuard(app);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await registerSecurity(app, deps.config);
  const metrics = installWebMetrics(app, { token: deps.config.METRICS_TOKEN });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Project88Hub API', version },
      components: { securitySchemes: openApiSecuritySchemes },
      tags: [
        { name: 'timing', description: "Timing sessions and reads of the caller's partner" },
        { name: 'health', description: 'Service health' },
        { name: 'billing', description: 'Payments and plans (Stripe webhooks)' },
        { name: 'display', description: 'Display links and their live streams' },
        { name: 'auth', description: 'Sign-in, sign-out, password reset, invitations' },
        { name: 'users', description: "The partner's users and invitations" },
        { name: 'tokens', description: 'API tokens for integrations' },
        { name: 'sources', description: 'CTP01 credentials of the timing software' },
        { name: 'providers', description: 'Registration and results provider connections, and syncing their events' },
        { name: 'platform', description: 'Platform administration' },
        { name: 'rosters', description: 'Roster events and participants: CSV and ChronoTrack Live imports' },
        { name: 'assets', description: 'Images for display templates (upload, library, public URLs)' },
        { name: 'templates', description: 'Display templates and their versions' },
        { name: 'results', description: 'The results warehouse: CSV import' },
        { name: 'db', description: 'Read API over the results warehouse, compatible with PostgREST' },
        { name: 'ask', description: 'Questions in plain English over the results warehouse and timing data' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  let readDb = deps.readDb ?? deps.db;
  if (!deps.readDb && deps.config.DATABASE_READ_URL && deps.db.kind === 'postgres') {
    // The same role switch at connection start as the primary's application pool: row-level
    // security applies there exactly as here.
    const { openPostgres } = await import('../db/postgres.js');
    const own = openPostgres(deps.config.DATABASE_READ_URL, { role: APP_ROLE, max: deps.config.DATABASE_POOL_SIZE });
    app.addHook('onClose', () => own.close());
    readDb = own;
  }

  const usage = new Usage(deps.db);
  app.decorate('usage', usage);
  const apiCalls = new ApiCallMeter(deps.db, { log: deps.logger, ...(deps.apiCallFlushMs !== undefined ? { flushMs: deps.apiCallFlushMs } : {}) });
  app.decorate('apiCalls', apiCalls);
  // Counts admitted in memory are written before the database closes (serve.ts closes the app first).
  app.addHook('onClose', () => apiCalls.close());
  await registerAccounts(app, {
    db: deps.db,
    log: deps.logger,
    publicUrl: deps.config.PUBLIC_URL ?? `http://localhost:${deps.config.PORT}`,
    ...(deps.config.SMTP_URL ? { mailer: smtpMailer({ url: deps.config.SMTP_URL, from: deps.config.MAIL_FROM }) } : {}),
  });
  const box = new SecretBox(await loadSecretKey(deps.config.secretKey, deps.config.dataDir));
  await app.register(timingSourceRoutes, {
    sources: new TimingSources(deps.db, box),
    collector: { host: deps.config.COLLECTOR_HOST, port: deps.config.COLLECTOR_PORT, ...(deps.config.PUBLIC_URL ? { publicUrl: deps.config.PUBLIC_URL } : {}) },
  });
  const bus = deps.bus ?? createMemoryBus();
  const screens = new ScreenPresence();
  const screenReports = new ScreenReportRelay(bus, screens, deps.logger);
  await screenReports.start(); // never throws: a bus away at start is retried in the background
  app.addHook('onClose', () => screenReports.close());
  await app.register(displayLinkRoutes, { links: new DisplayLinks(deps.db, usage, bus, screenReports) });
  await app.register(templateRoutes, { templates: new Templates(deps.db, usage) });
  const rosters = new Rosters(deps.db);
  const rosterImports = new RosterImports(deps.db, { box, usage });
  await app.register(rosterRoutes, { rosters, usage, imports: rosterImports, ctliveClientId: deps.config.CTLIVE_CLIENT_ID });
  await app.register(resultsRoutes, { results: new Results(deps.db) });
  // Read-only work goes to the read pool (DATABASE_READ_URL); everything that writes stays on db.
  await app.register(restRoutes, { api: new RestApi(readDb) });
  const llm = deps.config.LLM_BASE_URL && deps.config.LLM_MODEL
    ? { baseUrl: deps.config.LLM_BASE_URL, model: deps.config.LLM_MODEL, apiKey: deps.config.LLM_API_KEY ?? null, timeoutMs: deps.config.LLM_TIMEOUT_MS }
    : null;
  await app.register(askRoutes, { ask: new Ask(readDb, { llm, logger: deps.logger }) });
  const providerConnections = new ProviderConnections(deps.db, box, baseUrlsOf(deps.config));
  await app.register(providerRoutes, { connections: providerConnections });
  await app.register(syncRoutes, { db: deps.db, connections: providerConnections, schedules: new SyncSchedules(deps.db, deps.config.SYNC_CADENCE) });
  await app.register(fetchStylesRoutes, deps.fetchStylesPolicy ? { policy: deps.fetchStylesPolicy } : {});
  await app.register(assetRoutes, { assets: new Assets(deps.db, usage) });
  await app.register(healthRoutes, { db: deps.db });
  await app.register(timingRoutes, { prefix: '/api/timing', service: new TimingService(readDb) });
  await app.register(billingRoutes, { db: deps.db, webhookSecret: deps.config.STRIPE_WEBHOOK_SECRET });
  // Anonymous display traffic runs on a small pool of its own: it can use up those
  // connections, never the ones signed-in work needs (issue 12, finding 2).
  let publicDb = deps.publicDb;
  if (!publicDb && deps.db.kind === 'postgres') {
    const own = deps.db.asRole(APP_ROLE, { max: deps.config.DATABASE_PUBLIC_POOL_SIZE, statementTimeoutMs: deps.config.PUBLIC_STATEMENT_TIMEOUT_MS });
    app.addHook('onClose', () => own.close());
    publicDb = own;
  }
  metrics.watchPools({ main: deps.db, public: publicDb, ...(readDb !== deps.db ? { read: readDb } : {}) });
  await app.register(displayRoutes, {
    db: publicDb ?? deps.db,
    bus,
    screens: screenReports,
    ...(deps.heartbeatMs ? { heartbeatMs: deps.heartbeatMs } : {}),
    ...(deps.replayGate ? { gate: deps.replayGate } : {}),
    onFeeds: (feeds) => {
      metrics.watchFeeds(feeds);
      deps.onDisplayFeeds?.(feeds);
    },
    onDelivered: (receivedAtMs) => metrics.delivered(receivedAtMs),
  });
  // Last: the single-page app answers every other GET path.
  await app.register(spaPlugin, {});
  return app;
}
