import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedIn } from '../../test/helpers/auth.js';
import { newPartner } from '../../test/helpers/factories.js';
import { startTestApp, type TestApp } from '../../test/helpers/app.js';
import type { TestDatabase } from '../../test/helpers/db.js';
import { assetName, sniffImageFormat } from './assets.service.js';

let test: TestApp;
let t: TestDatabase;
let app: FastifyInstance;
let owner: SignedIn;
let viewer: SignedIn;
let rival: SignedIn;
let tight: SignedIn;
let tightPartner: number;

const MIB = 1024 * 1024;

beforeAll(async () => {
  test = await startTestApp();
  ({ t, app } = test);
  const acme = await newPartner(app, { slug: 'acme' });
  rival = (await newPartner(app, { slug: 'beta' })).owner;
  const tightOne = await newPartner(app, { slug: 'tight' });
  tightPartner = tightOne.id;
  // The free plan (100 MB of storage), without the trial's larger limits.
  await t.owner.query(`UPDATE partner_plans SET trial_plan = NULL, trial_ends_at = NULL WHERE partner_id = $1`, [tightPartner]);
  owner = acme.owner;
  viewer = await acme.signIn('viewer');
  tight = tightOne.owner;
});
afterAll(() => test.close());

function upload(who: SignedIn | null, body: Buffer | string, contentType = 'image/png', name?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/assets',
    headers: { ...(who?.headers ?? {}), ...(contentType ? { 'content-type': contentType } : {}), ...(name === undefined ? {} : { 'x-file-name': name }) },
    payload: body,
  });
}

async function storedCount(): Promise<number> {
  return (await t.owner.query<{ n: number }>('SELECT count(*)::int AS n FROM assets')).rows[0]!.n;
}

function solid(width: number, height: number, channels: 3 | 4 = 3) {
  return sharp({ create: { width, height, channels, background: { r: 200, g: 30, b: 60, alpha: channels === 4 ? 0.5 : 1 } } });
}

/** A valid PNG whose header declares width×height (a decompression bomb when large). */
async function pngDeclaring(width: number, height: number): Promise<Buffer> {
  const png = Buffer.from(await solid(1, 1).png().toBuffer());
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

describe('image upload', () => {
  it('stores a PNG resized to fit 1920×1080 with its alpha and serves it publicly with immutable, sandboxed headers', async () => {
    const res = await upload(owner, await solid(4000, 3000, 4).png().toBuffer(), 'image/png', encodeURIComponent('C:\\fakepath\\Logo été.png'));
    expect(res.statusCode, res.body).toBe(201);
    const { asset } = res.json();
    expect(asset).toMatchObject({ name: 'Logo été.png', content_type: 'image/png', width: 1440, height: 1080 });
    expect(asset.key).toMatch(/^[0-9a-f]{32}$/);
    expect(asset.url).toBe(`/assets/${asset.key}`);

    const served = await app.inject({ method: 'GET', url: asset.url });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(served.rawPayload.length).toBe(asset.bytes);
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 1440, height: 1080, hasAlpha: true });
  });

  it('auto-rotates a JPEG by its EXIF orientation, keeps it JPEG, does not enlarge it and strips its metadata', async () => {
    const jpeg = await solid(800, 600).jpeg().withMetadata({ orientation: 6 }).withExif({ IFD0: { Copyright: 'SECRET-EXIF-OWNER' } }).toBuffer();
    expect(jpeg.includes('SECRET-EXIF-OWNER')).toBe(true);
    const res = await upload(owner, jpeg, 'image/jpeg');
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().asset).toMatchObject({ name: 'image', content_type: 'image/jpeg', width: 600, height: 800 });
    const served = await app.inject({ method: 'GET', url: res.json().asset.url });
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.rawPayload.includes('SECRET-EXIF-OWNER')).toBe(false);
    const meta = await sharp(served.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 600, height: 800 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
  });

  it('keeps WebP as WebP and turns a GIF into a PNG; the type comes from the bytes, not the header', async () => {
    const webp = await upload(owner, await solid(300, 200, 4).webp().toBuffer(), 'image/webp', 'w.webp');
    expect(webp.json().asset).toMatchObject({ content_type: 'image/webp', width: 300, height: 200 });
    const gif = await upload(owner, await solid(120, 40).gif().toBuffer(), 'image/png', 'anim.gif');
    expect(gif.statusCode, gif.body).toBe(201);
    expect(gif.json().asset).toMatchObject({ content_type: 'image/png', width: 120, height: 40 });
    expect((await sharp((await app.inject({ method: 'GET', url: gif.json().asset.url })).rawPayload).metadata()).format).toBe('png');
  });

  it('accepts a body above the app-wide 1 MiB limit', async () => {
    const noisy = await sharp(randomBytes(900 * 900 * 3), { raw: { width: 900, height: 900, channels: 3 } }).png().toBuffer();
    expect(noisy.length).toBeGreaterThan(MIB);
    const res = await upload(owner, noisy);
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().asset).toMatchObject({ width: 900, height: 900 });
  });

  it('refuses what is not an accepted image, with a clear reason, and stores nothing', async () => {
    const before = await storedCount();
    const svg = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>';
    const png = await solid(300, 300).png().toBuffer();
    const cases: Array<[string, Buffer | string, string, RegExp]> = [
      ['a text file renamed .png', 'just some notes, not an image\n', 'image/png', /not a supported image/],
      ['an SVG', svg, 'image/svg+xml', /SVG images are not accepted/],
      ['an SVG declared as PNG', svg, 'image/png', /SVG images are not accepted/],
      ['a PNG signature on garbage', Buffer.concat([png.subarray(0, 8), randomBytes(2000)]), 'image/png', /could not be read/],
      ['a truncated PNG', png.subarray(0, Math.floor(png.length / 2)), 'image/png', /could not be (read|decoded)/],
      ['a TIFF', await solid(10, 10).tiff().toBuffer(), 'image/tiff', /not a supported image/],
      ['a decompression bomb', await pngDeclaring(20_000, 20_000), 'image/png', /20000×20000 pixels; at most 50 megapixels/],
      ['an empty body', Buffer.alloc(0), 'image/png', /Send the image file itself/],
      ['JSON', JSON.stringify({ image: 'x' }), 'application/json', /Send the image file itself/],
      ['an octet stream', png, 'application/octet-stream', /Send the image file itself/],
      ['no Content-Type', png, '', /Send the image file itself/],
    ];
    for (const [what, body, type, reason] of cases) {
      const res = await upload(owner, body, type);
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.json().error.message, what).toMatch(reason);
    }
    expect(await storedCount()).toBe(before);
  });

  it('answers 413 above 10 MiB and stores nothing', async () => {
    const before = await storedCount();
    const huge = Buffer.concat([await solid(10, 10).png().toBuffer(), randomBytes(11 * MIB)]);
    const res = await upload(owner, huge);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('payload_too_large');
    expect(await storedCount()).toBe(before);
  });

  it('needs a sign-in, and the manage permission to upload', async () => {
    const png = await solid(10, 10).png().toBuffer();
    expect((await upload(null, png)).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/assets' })).statusCode).toBe(401);
    expect((await upload(viewer, png)).statusCode).toBe(403);
  });
});

describe('asset library', () => {
  it('lists the partner’s images newest first without their bytes, and deletes one for good', async () => {
    const first = (await upload(owner, await solid(20, 20).png().toBuffer(), 'image/png', 'first.png')).json().asset;
    const second = (await upload(owner, await solid(30, 30).png().toBuffer(), 'image/png', 'second.png')).json().asset;
    const list = await app.inject({ method: 'GET', url: '/api/assets', headers: viewer.headers });
    expect(list.statusCode).toBe(200);
    const assets = list.json().assets as Array<Record<string, unknown>>;
    expect(assets.slice(0, 2).map((a) => a.name)).toEqual(['second.png', 'first.png']);
    expect(assets[0]).toEqual({ ...second, created_at: expect.any(String) });
    expect(Object.keys(assets[0]!)).not.toContain('data');

    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${first.key}`, headers: viewer.headers })).statusCode).toBe(403);
    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${first.key}`, headers: owner.headers })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: first.url })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${first.key}`, headers: owner.headers })).statusCode).toBe(404);
    const after = (await app.inject({ method: 'GET', url: '/api/assets', headers: owner.headers })).json().assets as Array<{ key: string }>;
    expect(after.map((a) => a.key)).not.toContain(first.key);
    expect(after.map((a) => a.key)).toContain(second.key);
  });

  it('answers 404 for malformed and unknown keys alike', async () => {
    for (const key of ['nope', '../etc/passwd', 'A'.repeat(32), randomBytes(16).toString('hex'), `${randomBytes(16).toString('hex')}0`]) {
      const res = await app.inject({ method: 'GET', url: `/assets/${encodeURIComponent(key)}` });
      expect(res.statusCode, key).toBe(404);
      expect((await app.inject({ method: 'DELETE', url: `/api/assets/${encodeURIComponent(key)}`, headers: owner.headers })).statusCode, key).toBe(404);
    }
  });

  it('keeps another partner out of the library, while the public URL still serves the image', async () => {
    const mine = (await upload(owner, await solid(40, 40).png().toBuffer(), 'image/png', 'acme-only.png')).json().asset;
    const theirs = (await app.inject({ method: 'GET', url: '/api/assets', headers: rival.headers })).json().assets as Array<{ key: string }>;
    expect(theirs).toEqual([]);
    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${mine.key}`, headers: rival.headers })).statusCode).toBe(404);
    const publicGet = await app.inject({ method: 'GET', url: mine.url });
    expect(publicGet.statusCode).toBe(200);
    expect((await sharp(publicGet.rawPayload).metadata()).width).toBe(40);
    const stillMine = (await app.inject({ method: 'GET', url: '/api/assets', headers: owner.headers })).json().assets as Array<{ key: string }>;
    expect(stillMine.map((a) => a.key)).toContain(mine.key);
  });
});

describe('deleting an image a template shows', () => {
  const design = (url: string) => ({ html: `<div><img src="${url}" alt=""></div>`, css: '' });
  const blank = { html: '<div>Welcome</div>', css: '' };
  const del = (key: string) => app.inject({ method: 'DELETE', url: `/api/assets/${key}`, headers: owner.headers });

  it('refuses (409, naming the template) while the current version or a live link’s version uses it', async () => {
    const logo = (await upload(owner, await solid(50, 50).png().toBuffer(), 'image/png', 'logo.png')).json().asset;
    const created = await app.inject({
      method: 'POST',
      url: '/api/templates',
      headers: owner.headers,
      payload: { name: 'Finish with logo', runner: design(logo.url), idle: blank },
    });
    expect(created.statusCode, created.body).toBe(201);
    const template = created.json().template as { id: number };

    const refused = await del(logo.key);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.message).toContain('“Finish with logo”');
    expect((await app.inject({ method: 'GET', url: logo.url })).statusCode).toBe(200);

    // A live link pinned to version 1 keeps it in use after the template moves on...
    const link = await app.inject({ method: 'POST', url: '/api/display-links', headers: owner.headers, payload: { template_id: template.id, template_version: 1 } });
    expect(link.statusCode, link.body).toBe(201);
    const saved = await app.inject({ method: 'PUT', url: `/api/templates/${template.id}`, headers: owner.headers, payload: { runner: blank, idle: blank } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await del(logo.key)).statusCode).toBe(409);

    // ...until that link is revoked: older versions are history.
    const linkId = link.json().id as string;
    expect((await app.inject({ method: 'DELETE', url: `/api/display-links/${linkId}`, headers: owner.headers })).statusCode).toBe(204);
    expect((await del(logo.key)).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: logo.url })).statusCode).toBe(404);
  });

  it('answers another partner 404 for an image its own template refers to', async () => {
    const mine = (await upload(owner, await solid(30, 30).png().toBuffer(), 'image/png', 'acme.png')).json().asset;
    const theirs = await app.inject({ method: 'POST', url: '/api/templates', headers: rival.headers, payload: { name: 'Borrowed', runner: design(mine.url), idle: blank } });
    expect(theirs.statusCode, theirs.body).toBe(201);
    const res = await app.inject({ method: 'DELETE', url: `/api/assets/${mine.key}`, headers: rival.headers });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain('Borrowed');
  });
});

describe('storage limit', () => {
  it('answers 402 naming storage_mb when an image would pass the plan’s storage, stores nothing, and accepts it once there is room', async () => {
    const png = await solid(64, 64).png().toBuffer();
    const probe = (await upload(tight, png)).json().asset as { key: string; bytes: number };
    // Fill the free plan's 100 MiB up to less than one more such image.
    await t.owner.query(
      `INSERT INTO assets (partner_id, key, name, content_type, width, height, bytes, data, sha256)
       VALUES ($1, $2, 'filler', 'image/png', 1, 1, $3, '\\x00', repeat('0', 64))`,
      [tightPartner, randomBytes(16).toString('hex'), 100 * MIB - 2 * probe.bytes + 1],
    );
    const before = await storedCount();
    const refused = await upload(tight, png);
    expect(refused.statusCode, refused.body).toBe(402);
    expect(refused.json().error.message).toContain('storage in MB');
    expect(await storedCount()).toBe(before);

    expect((await app.inject({ method: 'DELETE', url: `/api/assets/${probe.key}`, headers: tight.headers })).statusCode).toBe(204);
    expect((await upload(tight, png)).statusCode).toBe(201);
  });

  it('lets only one of two concurrent uploads take the last room', async () => {
    const png = await solid(64, 64).png().toBuffer();
    const size = (await sharp(png).png().toBuffer()).length; // what the upload stores
    await t.owner.query('DELETE FROM assets WHERE partner_id = $1', [tightPartner]);
    await t.owner.query(
      `INSERT INTO assets (partner_id, key, name, content_type, width, height, bytes, data, sha256)
       VALUES ($1, $2, 'filler', 'image/png', 1, 1, $3, '\\x00', repeat('0', 64))`,
      [tightPartner, randomBytes(16).toString('hex'), 100 * MIB - size - Math.floor(size / 2)],
    );
    const results = await Promise.all([upload(tight, png), upload(tight, png)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([201, 402]);
    expect((await t.owner.query('SELECT 1 FROM assets WHERE partner_id = $1', [tightPartner])).rowCount).toBe(2);
  });
});

describe('helpers', () => {
  it('sniffs the format from magic bytes only', async () => {
    expect(sniffImageFormat(await solid(2, 2).png().toBuffer())).toBe('png');
    expect(sniffImageFormat(await solid(2, 2).jpeg().toBuffer())).toBe('jpeg');
    expect(sniffImageFormat(await solid(2, 2).webp().toBuffer())).toBe('webp');
    expect(sniffImageFormat(await solid(2, 2).gif().toBuffer())).toBe('gif');
    expect(sniffImageFormat(Buffer.from('RIFF....WAVE'))).toBeNull();
    expect(sniffImageFormat(Buffer.from([0x89, 0x50]))).toBeNull();
  });

  it('makes a safe display name from the x-file-name header', () => {
    expect(assetName(undefined)).toBe('image');
    expect(assetName('/var/tmp/logo.png')).toBe('logo.png');
    expect(assetName('a\u0000b\nc.png')).toBe('abc.png');
    expect(assetName('%E0%A4%A')).toBe('%E0%A4%A');
    expect(assetName('x'.repeat(500))).toHaveLength(200);
    expect(assetName('  ')).toBe('image');
  });
});
