/**
 * Public display endpoints: a screen needs only the link id. GET /api/display/:id describes
 * the link; GET /api/display/:id/stream is the Server-Sent Events stream of its reads.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Bus } from '../bus/bus.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { errorBody, errorResponses, errorResponseSchema } from '../http/error-handler.js';
import { withPartner } from '../db/tenant.js';
import { findPublicLink, linkDesigns } from './display-links.repo.js';
import { DisplayFeeds } from './display-stream.js';
import { isLinkId } from './link-id.js';
import { ReplayGate } from './replay-gate.js';
import { RunnerResolver } from './runner.js';
import { SCREEN_ID, screenReportSchema, type ScreenReportRelay } from './screens.js';
import { displaySettingsSchema, withDefaults } from './settings.js';
import { TEMPLATE_FORMATS } from '../shared/template-fields.js';

/** Comments on an idle stream keep proxies from closing it; each beat also re-checks the link. */
export const HEARTBEAT_MS = 15_000;

const params = z.object({ id: z.string() });
const design = z.object({ html: z.string(), css: z.string() });
/** A screen's report is small; anything bigger is not a screen. */
const SCREEN_REPORT_LIMIT = 16 * 1024;


/**
 * `db` is the web process's public pool (small, with a statement timeout: see web/app.ts), so
 * no anonymous caller can take the connections signed-in work runs on; `gate` bounds the
 * replays that reach it.
 */
export const displayRoutes: FastifyPluginAsyncZod<{
  db: Database;
  bus: Bus;
  screens: Pick<ScreenReportRelay, 'report' | 'forget' | 'streamOpened' | 'streamClosed'>;
  heartbeatMs?: number;
  gate?: ReplayGate;
  /** Set to see the feeds (tests, bench). */
  onFeeds?: (feeds: DisplayFeeds) => void;
  /** Told the collector's receive time of each read handed to screens (metrics). */
  onDelivered?: (receivedAtMs: number) => void;
}> = async (app, { db, bus, screens, heartbeatMs = HEARTBEAT_MS, gate = new ReplayGate(), onFeeds, onDelivered }) => {
  const feeds = new DisplayFeeds({ db, bus, runners: new RunnerResolver(db), heartbeatMs, onDelivered });
  onFeeds?.(feeds);
  // Closing the app ends the streams (they would hold app.close(), and SIGTERM, forever).
  app.addHook('preClose', () => feeds.closeAll());
  async function liveLink(id: string) {
    // Same 404 for a malformed, unknown, revoked or expired id: nothing to enumerate.
    const link = isLinkId(id) ? await findPublicLink(db, id) : null;
    if (!link) throw new AppError('not_found', 'This display link does not exist or has ended.');
    return link;
  }

  app.get(
    '/api/display/:id',
    {
      schema: {
        tags: ['display'],
        summary: 'A display link as a screen sees it (public: the id is the key)',
        params,
        response: {
          200: z.object({
            id: z.string(),
            locations: z.array(z.string()),
            settings: displaySettingsSchema,
            template: z.object({ runner: design, idle: design, format: z.enum(TEMPLATE_FORMATS) }).nullable().describe('Sanitized designs; null = the built-in design'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const link = await liveLink(request.params.id);
      const template =
        link.template_id === null ? null : await withPartner(db, link.partner_id, (tx) => linkDesigns(tx, link.template_id!, link.template_version));
      void reply.header('cache-control', 'no-store');
      return { id: link.id, locations: link.locations, settings: withDefaults(link.settings), template };
    },
  );

  app.post(
    '/api/display/:id/screens/:screen',
    {
      bodyLimit: SCREEN_REPORT_LIMIT,
      schema: {
        tags: ['display'],
        summary: 'A screen reports what it shows and its queue (public: for the operator console)',
        params: z.object({ id: z.string(), screen: z.string().regex(SCREEN_ID) }),
        body: screenReportSchema,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const link = await liveLink(request.params.id);
      // Only a screen with an open stream (its ?screen= id) appears on the console.
      if (!screens.report(link.id, request.params.screen, request.body)) {
        throw new AppError('not_found', 'This screen has no open stream for this link.');
      }
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/display/:id/screens/:screen/close',
    {
      schema: {
        tags: ['display'],
        summary: 'A screen is closing (its pagehide beacon): it leaves the operator console at once (public, like its reports)',
        params: z.object({ id: z.string(), screen: z.string().regex(SCREEN_ID) }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const link = await liveLink(request.params.id);
      screens.forget(link.id, request.params.screen);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/display/:id/stream',
    {
      schema: {
        tags: ['display'],
        summary: 'Server-Sent Events: every read the link shows (event "read"), with Last-Event-ID replay',
        params,
        headers: z.object({ 'last-event-id': z.string().regex(/^\d{1,18}$/).optional() }).passthrough(),
        querystring: z.object({
          last_event_id: z.string().regex(/^\d{1,18}$/).optional().describe('For a screen reconnecting by itself (EventSource cannot set the header)'),
          screen: z.string().regex(SCREEN_ID).optional().describe("The screen's id: while this stream is open, its reports reach the console"),
        }),
        response: { 404: errorResponses[404], 429: errorResponseSchema, 503: errorResponseSchema },
      },
    },
    async (request, reply) => {
      const link = await liveLink(request.params.id);
      // The header (the browser's own reconnect) wins over the query (the page's).
      const header = request.headers['last-event-id'] ?? request.query.last_event_id;
      const lastEventId = typeof header === 'string' ? Number(header) : null;
      // A replay the feed's memory cannot answer queries the database: bounded per link and
      // address (429/503 at once past it, before anything is sent).
      const release = lastEventId !== null && !feeds.canAnswer(link, lastEventId) ? gate.enter(link.id, request.ip) : null;

      reply.hijack();
      const res = reply.raw;
      res.statusCode = 200;
      res.setHeader('content-type', 'text/event-stream; charset=utf-8');
      res.setHeader('cache-control', 'no-cache, no-transform');
      res.setHeader('connection', 'keep-alive');
      // nginx and similar proxies must not buffer the stream.
      res.setHeader('x-accel-buffering', 'no');
      let stop: (() => void) | null = null;
      let closed = false;
      const screenId = request.query.screen;
      let announced = false;
      request.raw.on('close', () => {
        closed = true;
        stop?.();
        if (announced && screenId !== undefined) screens.streamClosed(link.id, screenId);
      });
      // Nothing is written after the end (a shutdown may end a screen still replaying).
      const sink = {
        write: (chunk: string | Buffer) => void (res.writableEnded || res.destroyed ? undefined : res.write(chunk)),
        end: (last: string) => void (res.writableEnded || res.destroyed ? undefined : res.end(last)),
      };
      try {
        // Subscribed before the headers go out (a replay's first write sends them): a screen
        // that sees 200 misses nothing published after it.
        stop = await feeds.open(link, lastEventId, sink);
        if (closed) stop();
        else {
          res.write('retry: 2000\n\n');
          if (screenId !== undefined) {
            screens.streamOpened(link.id, screenId);
            announced = true;
          }
        }
      } catch (err) {
        request.log.warn({ err: String(err), link: link.id }, 'display stream could not start');
        if (!res.headersSent) {
          res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '2' });
          res.end(JSON.stringify(errorBody('database_unavailable', request.id)));
        } else res.end(); // the screen reconnects (and replays) by itself
      } finally {
        release?.();
      }
    },
  );
};
