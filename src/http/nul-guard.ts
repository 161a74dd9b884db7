/**
 * Refuses text with NUL characters (U+0000) anywhere in a request's JSON body, query string
 * or path parameters with one clear 400, before any route sees it. PostgreSQL cannot store
 * 0x00 in text or jsonb, so such a value used to fail deep inside a route as a 500 (issue 12,
 * finding 7: about 15 routes). Binary bodies (uploads) are Buffers and are not looked into.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/** Where the first NUL is ("body.runner.html"), or null. Iterative: a deep body cannot overflow the stack. */
export function findNul(value: unknown, root: string): string | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length > 0) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return at;
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) stack.push([v[i], `${at}[${i}]`]);
    } else if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (k.includes('\u0000')) return at;
        stack.push([x, `${at}.${k}`]);
      }
    }
  }
  return null;
}

export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const at = findNul(request.params, 'params') ?? findNul(request.query, 'querystring') ?? findNul(request.body, 'body');
    if (at !== null) {
      const field = at.slice(0, 100);
      throw new AppError('bad_request', `Text must not contain NUL characters (\\u0000): ${field}.`, [{ field, message: 'Must not contain NUL characters' }]);
    }
  });
}
