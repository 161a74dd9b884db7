/**
 * Serves the partner dashboard (ui/dist, built by `npm run build:ui`) at `/`. Any GET that is not
 * an API or docs path and not a file gets index.html, so the app's own routes (/sign-in, …)
 * survive a reload. Files under static/ carry a content hash in their names and are cached for a
 * year; index.html is revalidated on every load so a deploy shows up at once. /d/<id> is a
 * display screen: display.html, a page of its own without the dashboard.
 */
import { stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { projectRoot } from '../project-root.js';

export interface SpaOptions {
  /** The built app; default ui/dist of this repository. */
  distDir?: string;
}

export const DEFAULT_UI_DIST = resolve(projectRoot, 'ui', 'dist');

/** Paths that belong to the server: a miss there is the API's JSON 404, never the app. */
const SERVER_PATH = /^\/(api|docs)(\/|$)/;
/** A display link's screen (/d/<8-char id>): its own page, not the dashboard. */
const DISPLAY_PATH = /^\/d\/[0-9A-Za-z]{8}$/;
const ASSET_CACHE = 'public, max-age=31536000, immutable';
const OTHER_FILE_CACHE = 'public, max-age=3600';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Project88Hub</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">
<h1>The web UI is not built</h1>
<p>The API is running. Build the dashboard with <code>npm run build:ui</code> (or start with
<code>npm start</code>, which builds it) and reload this page.</p>
</body></html>
`;

export async function spaPlugin(app: FastifyInstance, opts: SpaOptions): Promise<void> {
  const distDir = resolve(opts.distDir ?? DEFAULT_UI_DIST);
  if (!(await isFile(resolve(distDir, 'index.html')))) {
    app.log.warn({ distDir }, 'web UI not built (run npm run build:ui): serving a placeholder page at /');
    app.get('/*', { schema: { hide: true } }, async (request, reply) => {
      if (SERVER_PATH.test(pathOf(request.url))) return notFound(reply);
      return reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    });
    return;
  }

  await app.register(fastifyStatic, {
    root: distDir,
    // Routes are ours (below): @fastify/static only provides reply.sendFile and its path checks.
    serve: false,
    cacheControl: false,
    setHeaders: (reply, filePath) => {
      reply.header('cache-control', cacheControlFor(distDir, filePath));
    },
  });

  app.get<{ Params: { '*': string } }>('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = pathOf(request.url);
    if (SERVER_PATH.test(path)) return notFound(reply);
    const relative = request.params['*'];
    if (relative && (await isFile(resolveInside(distDir, relative)))) return reply.sendFile(relative);
    // A missing file (an asset of an older build, a typo) is a plain 404: answering it with the
    // app's HTML would make the browser report a confusing script or style error instead.
    if (extname(path) !== '') return notFound(reply);
    return reply.sendFile(DISPLAY_PATH.test(path) ? 'display.html' : 'index.html');
  });
}

/** The app's own not-found answer (the JSON error body set by the error handling). */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

function cacheControlFor(distDir: string, filePath: string): string {
  const relative = filePath.slice(distDir.length + 1).split(sep).join('/');
  if (relative === 'index.html' || relative === 'display.html') return 'no-cache';
  if (relative.startsWith('static/')) return ASSET_CACHE;
  return OTHER_FILE_CACHE;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The file a URL path names inside the root, or '' when the path would leave it. */
function resolveInside(root: string, relative: string): string {
  const full = resolve(root, relative);
  return full.startsWith(root + sep) ? full : '';
}

async function isFile(path: string): Promise<boolean> {
  if (!path) return false;
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
