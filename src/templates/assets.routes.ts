/**
 * HTTP for the asset library: upload (the raw image as the body), list and delete while
 * signed in; GET /assets/:key serves the bytes to anyone (the random key is the secret, so
 * display screens and templates can use the URL as it is).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { authPartnerId, requireAuth } from '../accounts/auth.js';
import { errorResponses, errorResponseSchema } from '../http/error-handler.js';
import type { AssetRow } from './assets.repo.js';
import { assetUrl, MAX_UPLOAD_BYTES, type Assets } from './assets.service.js';

const tags = ['assets'];
const SEND_IMAGE = 'Send the image file itself as the request body, with Content-Type image/png, image/jpeg, image/webp or image/gif.';

const assetSchema = z.object({
  key: z.string(),
  url: z.string().describe('Public URL of the image: /assets/<key>'),
  name: z.string(),
  content_type: z.string(),
  width: z.number(),
  height: z.number(),
  bytes: z.number(),
  created_at: z.date(),
});

function present(a: AssetRow): z.infer<typeof assetSchema> {
  return { ...a, url: assetUrl(a.key) };
}

/** Headers of an image served by key: cached for good (a key never changes its bytes), never run as a document. */
const PUBLIC_IMAGE_HEADERS = {
  'cache-control': 'public, max-age=31536000, immutable',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
};

export const assetRoutes: FastifyPluginAsyncZod<{ assets: Assets }> = async (app, { assets }) => {
  // Both parsers apply to this plugin's routes only. Every image/* body arrives as bytes
  // (the service trusts the bytes, not the declared type); other types get a clear refusal.
  app.addContentTypeParser(/^image\//i, { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_request, body, done) => done(null, body));
  app.addContentTypeParser('*', (_request, _payload, done) => done(new AppError('bad_request', SEND_IMAGE)));

  app.get(
    '/api/assets',
    {
      onRequest: requireAuth('displays:read'),
      schema: { tags, summary: "The partner's images, newest first", response: { 200: z.object({ assets: z.array(assetSchema) }), ...errorResponses } },
    },
    async (request) => ({ assets: (await assets.list(authPartnerId(request))).map(present) }),
  );

  app.post(
    '/api/assets',
    {
      onRequest: requireAuth('displays:manage'),
      bodyLimit: MAX_UPLOAD_BYTES,
      schema: {
        tags,
        summary: 'Upload an image (raw body, at most 10 MiB): checked by its bytes, resized to fit 1920×1080, re-encoded; SVG is refused',
        headers: z.object({ 'x-file-name': z.string().max(1000).optional().describe('The file name to show in the library') }).passthrough(),
        response: { 201: z.object({ asset: assetSchema }), 402: errorResponseSchema, 413: errorResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const partnerId = authPartnerId(request);
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw new AppError('bad_request', SEND_IMAGE);
      const asset = await assets.upload(partnerId, request.body, request.headers['x-file-name']);
      return reply.status(201).send({ asset: present(asset) });
    },
  );

  app.delete(
    '/api/assets/:key',
    {
      onRequest: requireAuth('displays:manage'),
      schema: {
        tags,
        summary: 'Delete an image; refused (409, naming them) while a template’s current version, or one a live link shows, uses it',
        params: z.object({ key: z.string() }),
        response: { 204: z.null(), 409: errorResponseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await assets.remove(authPartnerId(request), request.params.key);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/assets/:key',
    {
      schema: {
        tags,
        summary: 'The image bytes (public: the unguessable key is the secret)',
        params: z.object({ key: z.string() }),
        // Bytes are sent as they are; this schema only documents them.
        response: { 200: z.any().describe('The image (PNG, JPEG or WebP)'), 404: errorResponses[404] },
      },
    },
    async (request, reply) => {
      const asset = await assets.publicAsset(request.params.key);
      // Same 404 for a malformed and an unknown key: nothing to enumerate.
      if (!asset) throw new AppError('not_found', 'No such image.');
      return reply.headers({ ...PUBLIC_IMAGE_HEADERS, 'content-type': asset.content_type }).send(asset.data);
    },
  );
};
